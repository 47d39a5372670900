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
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
