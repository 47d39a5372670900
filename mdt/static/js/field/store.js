// The device's copy (issue 16), in IndexedDB through Dexie. Every record but the few facts needed
// before the PIN is entered (the device's id and salt, the last signed-in contact, the count of
// wrong PINs) is encrypted with FieldCrypto: only record ids are readable without the key.
(function () {
  "use strict";
  var NAME = "mdt-field";
  var TABLES = { meta: "&key", vault: "&id", cases: "&id", drafts: "&id", outbox: "&id, seq", conflicts: "&id" };
  var db = null;
  var key = null;
  var seq = 0;

  function connect() {
    db = new Dexie(NAME);
    db.version(1).stores(TABLES);
    return db.open();
  }

  function meta(name) {
    return db.table("meta").get(name).then(function (row) { return row ? row.value : undefined; });
  }
  function setMeta(name, value) {
    return db.table("meta").put({ key: name, value: value });
  }

  function put(table, id, value, extra) {
    if (!key) { return Promise.reject(new Error("locked")); }
    return FieldCrypto.seal(key, value).then(function (box) {
      return db.table(table).put(Object.assign({ id: id, iv: box.iv, data: box.data }, extra || {}));
    });
  }
  function get(table, id) {
    return db.table(table).get(id).then(function (row) { return row ? FieldCrypto.open(key, row) : undefined; });
  }
  function all(table) {
    var rows = table === "outbox" ? db.table(table).orderBy("seq").toArray() : db.table(table).toArray();
    return rows.then(function (list) {
      return Promise.all(list.map(function (row) { return FieldCrypto.open(key, row); }));
    });
  }
  function remove(table, id) {
    return db.table(table).delete(id);
  }
  function queue(change) {
    seq = Math.max(seq + 1, Date.now());
    return put("outbox", change.idempotency_key, change, { seq: seq });
  }
  function replaceCases(list) {
    if (!key) { return Promise.resolve(); }
    return Promise.all(list.map(function (c) { return FieldCrypto.seal(key, c).then(function (box) {
      return { id: c.id, iv: box.iv, data: box.data };
    }); })).then(function (rows) {
      return db.transaction("rw", db.table("cases"), function () {
        return db.table("cases").clear().then(function () { return db.table("cases").bulkPut(rows); });
      });
    });
  }
  function waitingCount() {
    return db.table("outbox").count();
  }
  // Everything on the device goes: the database is deleted, the key forgotten.
  function wipe() {
    key = null;
    var old = db;
    old.close();
    return Dexie.delete(NAME).then(connect);
  }

  window.FieldStore = {
    connect: connect,
    meta: meta,
    setMeta: setMeta,
    put: put,
    get: get,
    all: all,
    remove: remove,
    queue: queue,
    replaceCases: replaceCases,
    waitingCount: waitingCount,
    wipe: wipe,
    setKey: function (k) { key = k; },
    unlocked: function () { return key !== null; },
  };
})();
