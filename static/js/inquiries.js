/* SayPro inquiry pages: live countdowns and the quick-reply picker. Vanilla JS, no dependencies.
   Every feature works without it: the server renders the countdown text and the picker falls back
   to a GET form (?template=<id>) that pre-fills the reply box. */
(function () {
  "use strict";

  var HOUR = 3600;

  // Same wording as inquiries/templatetags/inquiry_format.py duration_text().
  function durationText(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (hours >= 48) return Math.floor(hours / 24) + " days";
    if (hours) return hours + " h " + (minutes < 10 ? "0" : "") + minutes + " min";
    return minutes ? minutes + " min" : "< 1 min";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (element) {
      var due = Date.parse(element.getAttribute("data-due"));
      if (isNaN(due)) return;
      var seconds = (due - now) / 1000;
      var text = element.querySelector(".countdown-text") || element;
      text.textContent = seconds >= 0 ? durationText(seconds) + " left" : "Overdue by " + durationText(seconds);
      element.classList.toggle("is-overdue", seconds < 0);
      element.classList.toggle("is-due-soon", seconds >= 0 && seconds < HOUR);
      var row = element.closest(".inbox-row, .due-box");
      if (row && !row.classList.contains("is-escalated")) {
        row.classList.toggle("is-overdue", seconds < 0);
        row.classList.toggle("is-due-soon", seconds >= 0 && seconds < HOUR);
      }
    });
  }

  function quickReplies() {
    var data = document.getElementById("quick-replies-data");
    return data ? JSON.parse(data.textContent) : [];
  }

  function insertTemplate(id) {
    var reply = quickReplies().find(function (item) { return String(item.id) === String(id); });
    var box = document.querySelector(".reply-form textarea[name=body]");
    var field = document.querySelector(".reply-form input[name=template]");
    if (!reply || !box) return false;
    // Replace an empty box; otherwise add below what the seller already wrote.
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + reply.text : reply.text;
    if (field) field.value = reply.id;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    return true;
  }

  function init() {
    document.documentElement.classList.add("js");
    if (document.querySelector("[data-due]")) {
      tick();
      window.setInterval(tick, 15000);
    }

    var picker = document.querySelector("[data-quick-reply-picker]");
    if (picker) {
      picker.addEventListener("change", function () {
        if (picker.value && insertTemplate(picker.value)) picker.value = "";
      });
    }
    document.querySelectorAll("[data-use-template]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (insertTemplate(button.getAttribute("data-use-template"))) event.preventDefault();
      });
    });
    // A seller who types over a quick reply until nothing of it is left is no longer using it.
    var box = document.querySelector(".reply-form textarea[name=body]");
    var field = document.querySelector(".reply-form input[name=template]");
    if (box && field) {
      box.addEventListener("input", function () { if (!box.value.trim()) field.value = ""; });
    }

    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
