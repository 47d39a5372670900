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
  if (window.location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target) { target.querySelectorAll("details").forEach(function (d) { d.open = true; }); }
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
    if (!waiting.length || !main) { form.dataset.sent = "1"; return; }
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
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); delete form.dataset.sent; }
    });
  });
});
