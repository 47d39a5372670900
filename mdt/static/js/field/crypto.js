// The offline copy's encryption (issue 16): a key derived from the member's PIN with PBKDF2
// (SHA-256, a random salt per device, the rounds the page names), for AES-GCM with a random
// 12-byte IV per record. The PIN and the key are never stored; the key lives in memory only.
(function () {
  "use strict";
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function random(n) {
    return crypto.getRandomValues(new Uint8Array(n));
  }

  function deriveKey(pin, salt, iterations) {
    return crypto.subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey(
        { name: "PBKDF2", salt: salt, iterations: iterations, hash: "SHA-256" },
        base,
        { name: "AES-GCM", length: 256 },
        false, // not extractable: the key cannot be read back out of the browser
        ["encrypt", "decrypt"]
      );
    });
  }

  // Any JSON value -> {iv, data}: what IndexedDB keeps.
  function seal(key, value) {
    var iv = random(12);
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, encoder.encode(JSON.stringify(value))).then(
      function (data) { return { iv: iv, data: data }; }
    );
  }

  // {iv, data} -> the value; rejects when the key is not the one it was sealed with.
  function open(key, box) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data).then(function (plain) {
      return JSON.parse(decoder.decode(plain));
    });
  }

  function uuid() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    var b = random(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  window.FieldCrypto = { deriveKey: deriveKey, seal: seal, open: open, salt: function () { return random(16); }, uuid: uuid };
})();
