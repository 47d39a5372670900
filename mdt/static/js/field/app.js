// The offline app (issue 16): my cases, a case's summary, the intake, the follow-up visit and a
// change of details, kept on the device (FieldStore, encrypted) and sent when the connection
// returns. Every sentence shown comes from the page (#field-config), in the reader's language.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("field-config").textContent);
  var S = config.strings;
  var L = config.labels;
  var MAX_WRONG_PINS = 10;
  var BATCH = 20;
  var DAY = 24 * 3600 * 1000;
  var PERSON = ["given_name", "family_name", "sex", "date_of_birth", "phone", "home_village", "home_district", "home_province"];
  var EDITABLE = { summary: "summary", source: "source", phone: "person.phone", home_village: "person.home_village",
    home_district: "person.home_district", home_province: "person.home_province" };

  var state = { device: null, member: null, csrf: null, online: "unknown", syncing: false, backoff: 0, timer: null,
    lastResult: null };

  function $(id) { return document.getElementById(id); }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, name) { return values[name] !== undefined ? values[name] : ""; });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }
  function label(table, code) { return (L[table] && L[table][code]) || code || ""; }
  function fieldLabel(name) { return (S.fields && S.fields[name]) || name; }
  function notice(text, kind) {
    var box = $("notice");
    box.textContent = text || "";
    box.className = "flash" + (kind ? " flash-" + kind : "");
    box.hidden = !text;
  }
  function show(view) {
    $("v-loading").hidden = true;
    document.querySelectorAll("section.view").forEach(function (s) { s.hidden = s.id !== view; });
    $("field-nav").hidden = !FieldStore.unlocked();
  }
  function formatDay(iso) {
    if (!iso) { return ""; }
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeZone: "UTC" })
        .format(new Date(iso.slice(0, 10) + "T00:00:00Z"));
    } catch (e) { return iso; }
  }
  function personName(p) {
    if (!p) { return ""; }
    return [p.given_name, p.family_name].filter(Boolean).join(" ");
  }

  // ------------------------------------------------------------------ talking to the server

  function headers(extra) {
    var h = Object.assign({ Accept: "application/json" }, extra || {});
    if (state.device) { h["X-MDT-Device"] = state.device.deviceId; }
    return h;
  }

  // A signed-in contact: the pack of my cases, a fresh CSRF token, and the wipe signal. Returns
  // "ok", "signin", "offline", "other" (another member is signed in) or "wiped".
  function contact() {
    return fetch(config.urls.pack, { headers: headers(), redirect: "manual", credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 410) { return wipe("wiped_deactivated").then(function () { return "wiped"; }); }
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          state.online = "signin";
          return "signin";
        }
        if (!response.ok) { state.online = "retry"; return "offline"; }
        return response.json().then(function (pack) {
          if (state.device && state.device.memberId !== pack.member.id) {
            state.online = "other";
            notice(S.other_member, "error");
            return "other";
          }
          state.online = "ok";
          state.member = pack.member;
          state.csrf = pack.csrf_token;
          var saved = [FieldStore.setMeta("contact", new Date().toISOString()), FieldStore.setMeta("offline_days", pack.offline_days)];
          if (FieldStore.unlocked()) {
            saved.push(FieldStore.replaceCases(pack.cases));
            saved.push(FieldStore.put("vault", "member", pack.member));
          }
          return Promise.all(saved).then(function () { return "ok"; });
        });
      }, function () { state.online = "offline"; return "offline"; });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", "X-CSRFToken": state.csrf || "" }),
      body: JSON.stringify(body),
      redirect: "manual",
      credentials: "same-origin",
    });
  }

  // ------------------------------------------------------------------ wiping and expiry

  function wipe(reason, n) {
    state.device = null;
    state.member = null;
    state.csrf = null;
    return FieldStore.wipe().then(function () {
      notice(fill(S[reason] || "", { n: n }), "error");
      $("member-name").textContent = "";
      return startSetup();
    });
  }

  function expired() {
    return Promise.all([FieldStore.meta("contact"), FieldStore.meta("offline_days")]).then(function (v) {
      var last = v[0] ? Date.parse(v[0]) : 0;
      var days = v[1] || 7;
      return last && Date.now() - last > days * DAY ? days : 0;
    });
  }

  // ------------------------------------------------------------------ setting up, unlocking

  function startSetup() {
    show("v-setup");
    $("setup-needs").hidden = true;
    $("setup-signin").hidden = true;
    return Promise.resolve();
  }

  function validPin(pin) { return /^[0-9]{6,}$/.test(pin); }

  $("setup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var pin = $("setup-pin").value;
    var error = $("setup-error");
    error.textContent = "";
    if (!validPin(pin)) { error.textContent = S.pin_short; $("setup-pin").focus(); return; }
    if (pin !== $("setup-pin2").value) { error.textContent = S.pin_mismatch; $("setup-pin2").focus(); return; }
    error.textContent = S.setting_up;
    state.device = null;
    contact().then(function (outcome) {
      if (outcome === "signin") {
        error.textContent = S.need_signin;
        $("setup-signin").hidden = false;
        return null;
      }
      if (outcome !== "ok") { error.textContent = S.need_online; return null; }
      return post(config.urls.device, {}).then(function (response) {
        if (!response.ok) { throw new Error("device"); }
        return response.json();
      }).then(function (answer) {
        var salt = FieldCrypto.salt();
        return FieldCrypto.deriveKey(pin, salt, config.iterations).then(function (key) {
          return FieldCrypto.seal(key, "mdt-field").then(function (check) {
            state.device = { deviceId: answer.device_id, memberId: state.member.id, salt: salt,
              iterations: config.iterations, check: check };
            FieldStore.setKey(key);
            return Promise.all([FieldStore.setMeta("device", state.device), FieldStore.setMeta("wrong_pins", 0)]);
          });
        });
      }).then(function () {
        $("setup-pin").value = "";
        $("setup-pin2").value = "";
        error.textContent = "";
        return contact();
      }).then(function () { return opened(); });
    }).catch(function () { error.textContent = S.setup_failed; });
  });

  $("unlock-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("unlock-pin");
    var error = $("unlock-error");
    var d = state.device;
    error.textContent = S.unlocking;
    FieldCrypto.deriveKey(input.value, d.salt, d.iterations).then(function (key) {
      return FieldCrypto.open(key, d.check).then(function () {
        FieldStore.setKey(key);
        input.value = "";
        error.textContent = "";
        return FieldStore.setMeta("wrong_pins", 0).then(opened);
      }, function () {
        return FieldStore.meta("wrong_pins").then(function (n) {
          n = (n || 0) + 1;
          if (n >= MAX_WRONG_PINS) { return wipe("wiped_pin"); }
          input.value = "";
          input.focus();
          error.textContent = n >= MAX_WRONG_PINS - 3 ? fill(S.wrong_pin_left, { n: MAX_WRONG_PINS - n }) : S.wrong_pin;
          return FieldStore.setMeta("wrong_pins", n);
        });
      });
    });
  });

  $("forget").addEventListener("click", function () {
    if (window.confirm(this.getAttribute("data-confirm"))) {
      state.device = null;
      FieldStore.wipe().then(startSetup);
    }
  });

  $("lock").addEventListener("click", function () {
    FieldStore.setKey(null);
    state.member = null;
    $("member-name").textContent = "";
    notice("");
    show("v-unlock");
    $("unlock-pin").focus();
  });

  function opened() {
    return FieldStore.get("vault", "member").then(function (member) {
      state.member = state.member || member;
      $("member-name").textContent = state.member ? state.member.name : "";
      return route();
    }).then(function () { sync(); });
  }

  // ------------------------------------------------------------------ views

  function route() {
    if (!FieldStore.unlocked()) { return Promise.resolve(); }
    var parts = (location.hash || "#cases").slice(1).split("/");
    var view = parts[0];
    if (view === "case" && parts[1]) { return showCase(Number(parts[1])); }
    if (view === "intake") { return openForm("intake", parts[1], null); }
    if (view === "visit" && parts[1]) { return openForm("visit", parts[2], Number(parts[1])); }
    if (view === "edit" && parts[1]) { return openForm("edit", parts[2], Number(parts[1])); }
    if (view === "sync") { return showSync(); }
    return showCases();
  }
  window.addEventListener("hashchange", function () {
    notice(state.flash || "", state.flash ? "success" : "");
    state.flash = null;
    route().then(function () { if (FieldStore.unlocked()) { $("main").focus(); } });
  });

  function caseLine(c) {
    var p = c.person || {};
    var bits = [label("stage", c.stage), [p.home_village, p.home_district].filter(Boolean).join(", ")].filter(Boolean);
    return el("li", {}, [
      el("a", { href: "#case/" + c.id, text: c.reference + " · " + personName(p) }),
      el("div", { class: "muted", text: bits.join(" · ") }),
    ]);
  }

  function showCases() {
    return Promise.all([FieldStore.all("cases"), FieldStore.all("drafts"), FieldStore.all("outbox"), FieldStore.meta("contact")])
      .then(function (v) {
        var cases = v[0], drafts = v[1], outbox = v[2];
        var list = $("cases-list");
        list.textContent = "";
        cases.sort(function (a, b) { return (b.updated_at || "").localeCompare(a.updated_at || ""); });
        cases.forEach(function (c) { list.appendChild(caseLine(c)); });
        if (!cases.length) { list.appendChild(el("li", { class: "empty", text: S.no_cases })); }
        var dl = $("drafts-list");
        dl.textContent = "";
        drafts.forEach(function (d) { dl.appendChild(el("li", {}, [el("a", { href: draftHash(d), text: draftLabel(d) })])); });
        $("drafts-box").hidden = !drafts.length;
        var nl = $("new-list");
        nl.textContent = "";
        outbox.filter(function (ch) { return ch.kind === "intake"; }).forEach(function (ch) {
          nl.appendChild(el("li", {}, [el("span", { text: ch.label + " · " }), el("span", { class: "state", text: stateText(ch) })]));
        });
        $("new-box").hidden = !nl.children.length;
        $("last-contact").textContent = v[3] ? fill(S.last_contact, { when: new Date(v[3]).toLocaleString(document.documentElement.lang) }) : "";
        show("v-cases");
      });
  }

  function draftHash(d) {
    if (d.kind === "intake") { return "#intake/" + d.id; }
    return "#" + d.kind + "/" + d.case_id + "/" + d.id;
  }
  function draftLabel(d) {
    if (d.kind === "intake") { return fill(S.intake_of, { name: personName(d.values) || S.no_name }); }
    return fill(d.kind === "visit" ? S.visit_for : S.edit_of, { ref: d.case_ref || "" });
  }
  function stateText(ch) {
    if (ch.status === "refused") { return S.refused + ": " + (ch.message || ""); }
    return S.not_sent;
  }

  function fact(dl, name, value) {
    if (value === undefined || value === null || value === "") { return; }
    dl.appendChild(el("dt", { text: fieldLabel(name) }));
    dl.appendChild(el("dd", { text: String(value) }));
  }

  // A case as the device shows it: the server's copy with my changes not sent yet laid over it.
  function withMine(c, outbox) {
    var copy = JSON.parse(JSON.stringify(c));
    copy.person = copy.person || {};
    outbox.filter(function (ch) { return ch.kind === "edit" && ch.id === c.id; }).forEach(function (ch) {
      Object.keys(ch.fields).forEach(function (k) {
        if (k === "person") { Object.assign(copy.person, ch.fields.person); } else { copy[k] = ch.fields[k]; }
      });
    });
    return copy;
  }

  function showCase(id) {
    return Promise.all([FieldStore.get("cases", id), FieldStore.all("outbox")]).then(function (v) {
      if (!v[0]) { location.replace("#cases"); return; }
      var c = withMine(v[0], v[1]);
      var p = c.person;
      $("case-h").textContent = c.reference + " · " + personName(p);
      var dl = $("case-facts");
      dl.textContent = "";
      fact(dl, "stage", label("stage", c.stage));
      fact(dl, "sex", label("sex", p.sex));
      fact(dl, "date_of_birth", formatDay(p.date_of_birth));
      fact(dl, "phone", p.phone);
      fact(dl, "home", [p.home_village, p.home_district, p.home_province].filter(Boolean).join(", "));
      fact(dl, "source", label("source", c.source));
      fact(dl, "lead_agency", c.lead_agency && c.lead_agency.name);
      fact(dl, "opened_on", formatDay(c.opened_on));
      fact(dl, "destination", (c.episodes || []).map(function (e) { return e.destination_country; }).filter(Boolean).join(", "));
      fact(dl, "summary", c.summary);
      $("case-visit").href = "#visit/" + c.id;
      $("case-edit").href = "#edit/" + c.id;
      $("case-online").href = config.urls.case + c.id;
      var pending = v[1].filter(function (ch) { return ch.case_id === c.id; });
      var ul = $("case-pending");
      ul.textContent = "";
      pending.forEach(function (ch) { ul.appendChild(el("li", { text: ch.label + " · " + stateText(ch) })); });
      $("case-pending-box").hidden = !pending.length;
      show("v-case");
    });
  }

  // ------------------------------------------------------------------ forms kept as they are typed

  var current = { form: null, draft: null, saving: null, dirty: false };

  function readForm(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) { return; }
      if (input.type === "checkbox") {
        values[input.name] = values[input.name] || [];
        if (input.checked) { values[input.name].push(input.value); }
      } else if (input.type === "radio") {
        if (input.checked) { values[input.name] = input.value; }
      } else {
        values[input.name] = input.value;
      }
    });
    return values;
  }
  function writeForm(form, values) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) { return; }
      var v = values[input.name];
      if (input.type === "checkbox") { input.checked = Array.isArray(v) && v.indexOf(input.value) >= 0; }
      else if (input.type === "radio") { input.checked = v === input.value; }
      else { input.value = v === undefined || v === null ? "" : v; }
    });
  }

  function openForm(kind, draftId, caseId) {
    if (!draftId) {  // a new form gets its own id in the address: a reload opens the same one
      location.replace("#" + kind + (caseId ? "/" + caseId : "") + "/" + FieldCrypto.uuid());
      return Promise.resolve();
    }
    var form = $(kind + "-form");
    return Promise.all([FieldStore.get("drafts", draftId), caseId ? FieldStore.get("cases", caseId) : null, FieldStore.all("outbox")])
      .then(function (v) {
        var c = v[1] ? withMine(v[1], v[2]) : null;
        if (caseId && !c) { location.replace("#cases"); return; }
        var draft = v[0] || { id: draftId, kind: kind, case_id: caseId, case_ref: c ? c.reference : null, values: initial(kind, c) };
        current.form = form;
        current.draft = draft;
        current.base = c;
        writeForm(form, draft.values);
        form.querySelector("[data-saved]").textContent = v[0] ? S.saved : "";
        form.querySelector("[data-error]").textContent = draft.problem || "";
        if (c) {
          var line = c.reference + " · " + personName(c.person);
          $(kind + "-case").textContent = line;
          $(kind + "-back").href = "#case/" + c.id;
        }
        show("v-" + kind);
      });
  }

  function initial(kind, c) {
    if (kind === "visit") { return { visited_on: new Date().toISOString().slice(0, 10) }; }
    if (kind === "edit") {
      var p = c.person || {};
      return { summary: c.summary || "", source: c.source || "", phone: p.phone || "", home_village: p.home_village || "",
        home_district: p.home_district || "", home_province: p.home_province || "" };
    }
    return {};
  }

  // Each keystroke is kept at once (a save in progress is followed by one more with what was
  // typed meanwhile): a reload, a closed tab or a flat battery loses nothing typed.
  function saveDraft() {
    if (!current.draft || !FieldStore.unlocked()) { return Promise.resolve(); }
    if (current.saving) { current.dirty = true; return current.saving; }
    var form = current.form;
    current.draft.values = readForm(form);
    current.draft.saved_at = new Date().toISOString();
    current.saving = FieldStore.put("drafts", current.draft.id, current.draft).then(function () {
      current.saving = null;
      if (current.dirty) { current.dirty = false; return saveDraft(); }
      form.querySelector("[data-saved]").textContent = S.saved;
      return null;
    }, function () { current.saving = null; });
    return current.saving;
  }

  document.querySelectorAll("form[data-kind]").forEach(function (form) {
    var keep = function () {
      if (current.form !== form) { return; }
      form.querySelector("[data-saved]").textContent = "";
      saveDraft();
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      (current.saving || Promise.resolve()).then(function () { submit(form); });
    });
    form.querySelector("[data-discard]").addEventListener("click", function () {
      if (!window.confirm(this.getAttribute("data-confirm"))) { return; }
      var draft = current.draft;
      current.draft = null;
      FieldStore.remove("drafts", draft.id).then(function () {
        location.hash = draft.case_id ? "#case/" + draft.case_id : "#cases";
      });
    });
  });

  function missing(form, names) {
    var error = form.querySelector("[data-error]");
    error.textContent = "";
    var values = readForm(form);
    for (var i = 0; i < names.length; i++) {
      if (!values[names[i]]) {
        error.textContent = S.required + " (" + fieldLabel(names[i]) + ")";
        var input = form.elements[names[i]];
        (input.length ? input[0] : input).focus();
        return true;
      }
    }
    return false;
  }

  function compact(values) {
    var out = {};
    Object.keys(values).forEach(function (k) { if (values[k] !== "" && values[k] !== null) { out[k] = values[k]; } });
    return out;
  }

  function submit(form) {
    var kind = form.getAttribute("data-kind");
    var values = readForm(form);
    var draft = current.draft;
    var change = { idempotency_key: FieldCrypto.uuid(), kind: kind, made_at: new Date().toISOString(), status: "waiting",
      values: values, case_ref: draft.case_ref };
    if (kind === "intake") {
      if (missing(form, ["given_name", "sex", "source"])) { return; }
      var person = {};
      PERSON.forEach(function (k) { if (values[k]) { person[k] = values[k]; } });
      change.entity = state.member && state.member.volunteer ? "intake" : "case";
      change.fields = compact({ person: person, source: values.source, summary: values.summary });
      change.label = fill(S.intake_of, { name: personName(person) });
    } else if (kind === "visit") {
      if (missing(form, ["visited_on", "wellbeing"])) { return; }
      change.entity = "visit";
      change.case_id = draft.case_id;
      change.fields = compact({ case_id: draft.case_id, visited_on: values.visited_on, place: values.place, seen: values.seen,
        wellbeing: values.wellbeing, needs: values.needs, notes: values.notes, next_visit_on: values.next_visit_on });
      change.label = fill(S.visit_for, { ref: draft.case_ref });
    } else {
      var before = initial("edit", current.base);
      var fields = {};
      Object.keys(EDITABLE).forEach(function (name) {
        if ((values[name] || "") === (before[name] || "")) { return; }
        var path = EDITABLE[name].split(".");
        if (path[0] === "person") { fields.person = fields.person || {}; fields.person[path[1]] = values[name]; }
        else { fields[name] = values[name]; }
      });
      if (!Object.keys(fields).length) {
        FieldStore.remove("drafts", draft.id).then(function () { location.hash = "#case/" + draft.case_id; });
        return;
      }
      change.entity = "case";
      change.id = draft.case_id;
      change.case_id = draft.case_id;
      change.base_version = current.base.version;
      change.fields = fields;
      change.label = fill(S.edit_of, { ref: draft.case_ref });
    }
    current.draft = null;
    FieldStore.queue(change).then(function () {
      // A refused change mended in the form replaces the one that was refused.
      return Promise.all([FieldStore.remove("drafts", draft.id), draft.replaces ? FieldStore.remove("outbox", draft.replaces) : null]);
    }).then(function () {
      state.flash = S.queued;
      location.hash = draft.case_id ? "#case/" + draft.case_id : "#cases";
      sync();
    });
  }

  // ------------------------------------------------------------------ sending

  function status(text, problem) {
    var line = $("sync-status");
    line.textContent = text;
    line.classList.toggle("problem", !!problem);
  }

  function refreshStatus() {
    if (!FieldStore.unlocked()) { status(""); return Promise.resolve(); }
    return Promise.all([FieldStore.all("outbox"), FieldStore.all("conflicts")]).then(function (v) {
      var waiting = v[0].filter(function (ch) { return ch.status !== "refused"; }).length;
      var refused = v[0].length - waiting;
      var count = $("waiting-count");
      count.textContent = String(v[0].length + v[1].length);
      count.hidden = !(v[0].length + v[1].length);
      var text, problem = false;
      if (waiting && state.syncing) { text = fill(S.waiting_sending, { n: waiting }); }
      else if (waiting && state.online === "signin") { text = fill(S.waiting_signin, { n: waiting }); problem = true; }
      else if (waiting && state.online === "retry") { text = fill(S.waiting_retry, { n: waiting }); problem = true; }
      else if (waiting && (state.online === "offline" || !navigator.onLine)) { text = fill(S.waiting_offline, { n: waiting }); }
      else if (waiting) { text = fill(S.waiting_sending, { n: waiting }); }
      else if (state.lastResult === "sent" && !refused) { text = S.all_sent; }
      else { text = S.nothing_waiting; }
      if (refused) { text = (waiting ? text + " " : "") + fill(S.refused_count, { n: refused }); problem = true; }
      if (v[1].length) { text += " " + fill(S.conflict_count, { n: v[1].length }); problem = true; }
      status(text, problem);
      $("sync-signin").hidden = state.online !== "signin";
      if (!$("v-sync").hidden) { renderSync(v[0], v[1]); }
    });
  }

  function later() {
    window.clearTimeout(state.timer);
    state.backoff = Math.min(state.backoff ? state.backoff * 2 : 2, 60);
    state.timer = window.setTimeout(sync, state.backoff * 1000);
  }

  function sync() {
    if (!FieldStore.unlocked() || state.syncing) { return refreshStatus(); }
    state.syncing = true;
    window.clearTimeout(state.timer);
    return refreshStatus().then(contact).then(function (outcome) {
      if (outcome === "wiped") { return "stop"; }
      if (outcome !== "ok") { if (outcome === "offline") { later(); } return "stop"; }
      return FieldStore.all("outbox").then(function (outbox) {
        var waiting = outbox.filter(function (ch) { return ch.status !== "refused"; });
        if (!waiting.length) { return "done"; }
        return sendBatches(waiting).then(function (sent) {
          state.backoff = 0;
          state.lastResult = "sent";
          return sent ? contact() : null;
        });
      });
    }).catch(function () {
      state.online = "retry";
      later();
    }).then(function () {
      state.syncing = false;
      return FieldStore.unlocked() ? refreshStatus().then(rerender) : null;
    });
  }

  function rerender() {
    var hash = location.hash || "#cases";
    if (/^#(cases|case\/|sync)/.test(hash) || hash === "") { return route(); }
    return null;
  }

  function sendBatches(waiting) {
    var batch = waiting.slice(0, BATCH);
    var body = { changes: batch.map(function (ch) {
      var out = { idempotency_key: ch.idempotency_key, entity: ch.entity, fields: ch.fields };
      if (ch.id) { out.id = ch.id; out.base_version = ch.base_version; }
      return out;
    }) };
    return post(config.urls.sync, body).then(function (response) {
      if (response.status === 410) { return wipe("wiped_deactivated").then(function () { return false; }); }
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403 || response.status === 400) {
        state.online = "signin";
        return false;
      }
      if (!response.ok) { throw new Error("server " + response.status); }
      return response.json().then(function (answer) {
        return handleResults(batch, answer.results || []);
      }).then(function () {
        return waiting.length > BATCH ? sendBatches(waiting.slice(BATCH)) : true;
      });
    });
  }

  function handleResults(batch, results) {
    var byKey = {};
    batch.forEach(function (ch) { byKey[ch.idempotency_key] = ch; });
    return Promise.all(results.map(function (r) {
      var ch = byKey[r.idempotency_key];
      if (!ch) { return null; }
      if (r.status === "applied" || r.status === "duplicate") { return FieldStore.remove("outbox", ch.idempotency_key); }
      if (r.status === "conflict") {
        return Promise.all((r.conflicts || []).map(function (k, i) {
          var id = k.id !== undefined && k.id !== null ? String(k.id) : ch.idempotency_key + ":" + i;
          return FieldStore.put("conflicts", id, { id: id, conflict_id: k.id, case_id: r.id || ch.id, case_ref: ch.label,
            field: k.field, server: k.server, yours: k.yours });
        })).then(function () { return FieldStore.remove("outbox", ch.idempotency_key); });
      }
      if (r.status === "refused") {
        ch.status = "refused";
        ch.message = r.message || "";
        ch.errors = r.errors || {};
        return FieldStore.put("outbox", ch.idempotency_key, ch, { seq: Date.now() });
      }
      return null;
    }));
  }

  // ------------------------------------------------------------------ the sending page

  function showSync() {
    show("v-sync");
    return refreshStatus();
  }

  function shown(value) {
    if (value === null || value === undefined || value === "") { return S.empty; }
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  function errorLines(ch) {
    return Object.keys(ch.errors || {}).map(function (field) {
      return fieldLabel(field.replace(/^(person|fields)\./, "")) + ": " + [].concat(ch.errors[field]).join(" ");
    });
  }

  function renderSync(outbox, conflicts) {
    $("sync-summary").textContent = $("sync-status").textContent;
    var list = $("outbox-list");
    list.textContent = "";
    outbox.forEach(function (ch) {
      var item = el("li", {}, [
        el("div", {}, [el("strong", { text: ch.label })]),
        el("div", { class: "state state-" + ch.status, text: stateText(ch) }),
      ]);
      errorLines(ch).forEach(function (line) { item.appendChild(el("div", { class: "message", text: line })); });
      if (ch.status === "refused") {
        var mend = el("button", { type: "button", text: S.mend });
        mend.addEventListener("click", function () {
          var draft = { id: FieldCrypto.uuid(), kind: ch.kind, case_id: ch.case_id, case_ref: ch.case_ref, values: ch.values || {},
            replaces: ch.idempotency_key, problem: errorLines(ch).join(" ") };
          FieldStore.put("drafts", draft.id, draft).then(function () { location.hash = draftHash(draft); });
        });
        var again = el("button", { type: "button", class: "secondary", text: S.send_again });
        again.addEventListener("click", function () {
          ch.status = "waiting";
          ch.message = "";
          FieldStore.put("outbox", ch.idempotency_key, ch, { seq: Date.now() }).then(sync);
        });
        var drop = el("button", { type: "button", class: "danger", text: S.delete });
        drop.addEventListener("click", function () {
          if (window.confirm(S.delete_confirm)) { FieldStore.remove("outbox", ch.idempotency_key).then(refreshStatus); }
        });
        item.appendChild(el("p", { class: "actions" }, [ch.values ? mend : null, again, drop]));
      }
      list.appendChild(item);
    });
    var box = $("conflicts-list");
    box.textContent = "";
    conflicts.forEach(function (k) {
      box.appendChild(clash(k));
    });
    $("conflicts-box").hidden = !conflicts.length;
  }

  function clash(k) {
    var name = fieldLabel(k.field.replace(/^person\./, ""));
    var heading = el("h3", { text: (k.case_ref || "") + " · " + name });
    var keepServer = el("button", { type: "button", class: "secondary", text: S.keep_server });
    var keepYours = el("button", { type: "button", text: S.keep_yours });
    var message = el("p", { class: "message", role: "status" });
    var card = el("div", { class: "clash", "data-field": k.field }, [
      heading,
      el("div", { class: "sides" }, [
        el("div", { class: "side" }, [el("h4", { text: S.server_value }), el("p", { text: shown(k.server) }), keepServer]),
        el("div", { class: "side" }, [el("h4", { text: S.your_value }), el("p", { text: shown(k.yours) }), keepYours]),
      ]),
      message,
      el("p", {}, [el("a", { href: config.urls.case + k.case_id + "/conflicts", text: S.open_conflicts })]),
    ]);
    function settle(keep) {
      if (k.conflict_id === undefined || k.conflict_id === null) { message.textContent = S.resolve_failed; return; }
      var go = state.csrf ? Promise.resolve("ok") : contact();
      go.then(function () {
        return fetch(config.urls.conflicts + k.conflict_id, {
          method: "POST",
          headers: headers({ "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": state.csrf || "" }),
          body: new URLSearchParams({ keep: keep }),
          redirect: "manual",
          credentials: "same-origin",
        });
      }).then(function (response) {
        if (response.status === 410) { return wipe("wiped_deactivated"); }
        // The settling page answers with a redirect to the case's clashes when it is done.
        if (!response.ok && response.type !== "opaqueredirect") { message.textContent = S.resolve_failed; return null; }
        return FieldStore.remove("conflicts", k.id).then(function () {
          notice(S.resolved, "success");
          return contact();
        }).then(refreshStatus);
      }, function () { message.textContent = S.resolve_failed; });
    }
    keepServer.addEventListener("click", function () { settle("server"); });
    keepYours.addEventListener("click", function () { settle("yours"); });
    return card;
  }

  $("sync-now").addEventListener("click", function () { state.backoff = 0; sync(); });
  window.addEventListener("online", function () { state.backoff = 0; sync(); });
  window.addEventListener("offline", function () { state.online = "offline"; refreshStatus(); });

  // ------------------------------------------------------------------ start

  function start() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.urls.worker, { scope: "/" }).catch(function () { return null; });
    }
    return FieldStore.connect().then(function () { return FieldStore.meta("device"); }).then(function (device) {
      state.device = device || null;
      if (!device) { return startSetup(); }
      return expired().then(function (days) {
        if (days) { return wipe("wiped_expired", days); }
        show("v-unlock");
        $("unlock-pin").focus();
        // The wipe signal reaches a locked device too.
        if (navigator.onLine) { contact(); }
        return null;
      });
    });
  }

  start();
})();
