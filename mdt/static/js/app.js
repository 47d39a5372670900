// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The menus of the header: one open at a time; Escape or a click elsewhere closes it.
  var menus = document.querySelectorAll("details.menu");
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) { menus.forEach(function (other) { if (other !== menu) { other.open = false; } }); }
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
  });
  // A download made on the server (a PDF, an export) says it is being prepared.
  document.querySelectorAll("a[data-busy]").forEach(function (link) {
    link.addEventListener("click", function () {
      var note = document.createElement("span");
      note.className = "busy";
      note.setAttribute("role", "status");
      note.textContent = " " + link.getAttribute("data-busy");
      link.after(note);
      window.setTimeout(function () { note.remove(); }, 8000);
    });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      field.select();
      var done = function () { button.textContent = button.getAttribute("data-copied"); };
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); }); }
      else { document.execCommand("copy"); done(); }
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-add-row"));
      var row = target.querySelector(".row-template");
      if (!row) { return; }
      var copy = row.cloneNode(true);
      copy.classList.remove("row-template");
      copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      copy.querySelectorAll("[id]").forEach(function (el) { el.id = el.id + "-" + target.children.length; });
      copy.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = el.htmlFor + "-" + target.children.length; });
      target.appendChild(copy);
      var first = copy.querySelector("input");
      if (first) { first.focus(); }
    });
  });
  // The intake's autosave says when it could not save, and tries again.
  var status = document.getElementById("draft-status");
  if (status) {
    var form = status.closest("form");
    var retry = null;
    var failed = function (offline) {
      status.textContent = status.getAttribute(offline ? "data-offline" : "data-failed");
      status.classList.add("not-saved");
      if (!retry) {
        retry = window.setTimeout(function () { retry = null; window.htmx.trigger(form, "change"); }, 5000);
      }
    };
    form.addEventListener("htmx:sendError", function () { failed(true); });
    form.addEventListener("htmx:responseError", function () { failed(false); });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) { status.classList.remove("not-saved"); }
    });
    window.addEventListener("online", function () { window.htmx.trigger(form, "change"); });
    // Once the form is sent, no autosave may follow it (it would keep a draft of a registered case).
    form.addEventListener("submit", function () { form.dataset.sent = "1"; });
    form.addEventListener("htmx:confirm", function (event) {
      if (form.dataset.sent) { event.preventDefault(); }
    });
  }
  var focus = document.querySelector("[data-autofocus]");
  if (focus) { focus.focus(); }
  // A section named in the address (after a save) is shown open.
  var named = null;
  try { named = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { named = null; }
  if (named) {
    var target = document.getElementById(named);
    if (target) {
      // An agenda item named after its save shows its minutes again; a larger section stays as it is.
      if (/^item-/.test(target.id)) { target.querySelectorAll("details").forEach(function (d) { d.open = true; }); }
      for (var up = target.closest("details"); up; up = up.parentElement.closest("details")) { up.open = true; }
      // The message of what was just done shows where the member is looking: in that section.
      var said = document.querySelectorAll("main > .flash");
      if (said.length) {
        var first = target.firstElementChild;
        var heading = first && /^H[1-6]$/.test(first.tagName) ? first.nextSibling : first;
        said.forEach(function (flash) { target.insertBefore(flash, heading); });
        said[0].setAttribute("tabindex", "-1");
        said[0].focus({ preventScroll: true });
        target.scrollIntoView();
      }
    }
  }
  // Forms marked data-unsaved (minutes) are never lost by sending another form of the page or
  // leaving it: the other form waits, and says which one to save first or lets the member discard.
  var changed = function (form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
      if (el.tagName === "SELECT") {
        // With no option marked selected, the first one is the default.
        var first = Array.prototype.findIndex.call(el.options, function (o) { return o.defaultSelected; });
        return el.selectedIndex !== Math.max(first, 0);
      }
      return (el.tagName === "TEXTAREA" || el.tagName === "INPUT") && el.type !== "hidden" && el.value !== el.defaultValue;
    });
  };
  var unsaved = function (except) {
    return Array.prototype.filter.call(document.querySelectorAll("form[data-unsaved]"), function (form) {
      return form !== except && !form.dataset.sent && changed(form);
    });
  };
  var main = document.getElementById("main");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var waiting = unsaved(form);
    if (!waiting.length || !main) {
      form.dataset.sent = "1";
      // Long work shows it is under way: the button says so (and is not pressed twice).
      var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
      if (button && main && !form.hasAttribute("hx-post") && !form.hasAttribute("data-confirm")) {
        window.setTimeout(function () {
          button.setAttribute("aria-busy", "true");
          button.disabled = true;
          button.dataset.label = button.textContent;
          button.textContent = main.getAttribute("data-working");
          // A download leaves the page where it is: the button comes back.
          window.setTimeout(function () {
            button.disabled = false;
            button.removeAttribute("aria-busy");
            button.textContent = button.dataset.label;
            delete form.dataset.sent;
          }, 8000);
        }, 400);
      }
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var old = document.querySelector("[data-unsaved-alert]");
    if (old) { old.remove(); }
    var alert = document.createElement("div");
    alert.className = "flash flash-error";
    alert.setAttribute("role", "alert");
    alert.setAttribute("tabindex", "-1");
    alert.setAttribute("data-unsaved-alert", "");
    var list = document.createElement("ul");
    waiting.forEach(function (other) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      var section = other.closest("[id]");
      link.href = "#" + (section ? section.id : "");
      link.textContent = other.getAttribute("data-unsaved");
      link.addEventListener("click", function (e) {
        e.preventDefault();
        var details = other.closest("details");
        if (details) { details.open = true; }
        var field = other.querySelector("textarea, input:not([type=hidden]), select");
        if (field) { field.focus(); }
      });
      li.appendChild(link);
      list.appendChild(li);
    });
    var intro = document.createElement("p");
    intro.textContent = main.getAttribute("data-unsaved-intro");
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.textContent = main.getAttribute("data-unsaved-discard");
    var submitter = event.submitter;
    discard.addEventListener("click", function () {
      waiting.forEach(function (other) { other.reset(); });
      alert.remove();
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    });
    alert.appendChild(intro);
    alert.appendChild(list);
    alert.appendChild(discard);
    form.parentNode.insertBefore(alert, form);
    alert.focus();
  }, true);
  window.addEventListener("beforeunload", function (event) {
    if (unsaved(null).length) { event.preventDefault(); event.returnValue = ""; }
  });
  // The claimants table: select rows, set them together, paste a spreadsheet column, totals live.
  var table = document.getElementById("claimants-table");
  if (table) {
    var lang = document.documentElement.lang || "en";
    var number = function (text) {
      var clean = (text || "").replace(/[\s\u00a0\u202f,]/g, "");
      return clean === "" || isNaN(Number(clean)) ? 0 : Number(clean);
    };
    var rows = function () { return Array.prototype.slice.call(table.querySelectorAll("tbody tr")); };
    var chosen = function () {
      var picked = rows().filter(function (row) { return row.querySelector("input[name=selected]").checked; });
      return picked.length ? picked : rows();
    };
    var totals = function () {
      table.querySelectorAll("tfoot tr.totals").forEach(function (foot) {
        var currency = foot.getAttribute("data-currency");
        var money = new Intl.NumberFormat(lang, { style: "currency", currency: currency });
        ["awarded", "received"].forEach(function (kind) {
          var sum = rows().filter(function (row) { return row.getAttribute("data-currency") === currency; })
            .reduce(function (total, row) { return total + number(row.querySelector("[data-amount=" + kind + "]").value); }, 0);
          foot.querySelector("[data-total=" + kind + "]").textContent = money.format(sum);
        });
      });
    };
    table.addEventListener("input", totals);
    var all = table.querySelector("[data-select-all]");
    all.addEventListener("change", function () {
      rows().forEach(function (row) { row.querySelector("input[name=selected]").checked = all.checked; });
    });
    table.querySelector("[data-bulk-apply]").addEventListener("click", function () {
      var picked = rows().filter(function (row) { return row.querySelector("input[name=selected]").checked; });
      var said = document.getElementById("bulk-status-note");
      said.textContent = picked.length ? "" : said.getAttribute("data-none");
      if (!picked.length) { return; }
      [["bulk_status", "select[name^=status-]"], ["bulk_awarded", "[data-amount=awarded]"], ["bulk_received", "[data-amount=received]"]]
        .forEach(function (pair) {
          var source = table.querySelector("[name=" + pair[0] + "]");
          if (!source.value) { return; }
          picked.forEach(function (row) { row.querySelector(pair[1]).value = source.value; });
          source.value = "";
        });
      totals();
    });
    table.querySelector("[data-paste-apply]").addEventListener("click", function () {
      var paste = table.querySelector("[name=paste]");
      var into = table.querySelector("[name=paste_into]").value === "received" ? "received" : "awarded";
      var lines = paste.value.replace(/^[\r\n]+|[\r\n]+$/g, "").split(/\r?\n/);
      var targets = chosen();
      var status = document.getElementById("paste-status");
      if (lines.length > targets.length) {
        status.textContent = status.getAttribute("data-too-many").replace("{n}", lines.length).replace("{m}", targets.length);
        return;
      }
      lines.forEach(function (line, i) {
        var cell = line.split("\t")[0].trim();
        if (cell) { targets[i].querySelector("[data-amount=" + into + "]").value = cell; }
      });
      paste.value = "";
      status.textContent = "";
      totals();
    });
  }
  // Files dropped on an upload form join the ones chosen (the form still works with the button).
  document.querySelectorAll("form[data-dropzone]").forEach(function (form) {
    var input = form.querySelector("input[type=file][multiple]") || form.querySelector("input[type=file]");
    if (!input || typeof DataTransfer === "undefined") { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("dropping"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("dropping"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      var all = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { all.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) {
        if (input.multiple || all.items.length === 0) { all.items.add(file); }
      });
      input.files = all.files;
      input.dispatchEvent(new Event("change"));
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); delete form.dataset.sent; }
    });
  });
});
