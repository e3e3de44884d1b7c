/* SayPro, every page and the console: a character counter for text with a limit.
   Fields rendered by core.forms.LimitedTextField carry data-max-length instead of maxlength, so the
   browser never cuts what a person wrote. This script shows "1,234 / 5,000 characters" under each
   such field, turns it red with the number of characters over, and stops a submit that is over the
   limit (focusing the field). The server refuses the same text with a message next to the field. */
(function () {
  "use strict";

  function format(number) { return number.toLocaleString("en-US"); }

  // Count as the server does: Python counts code points, not UTF-16 units (an emoji is 1, not 2).
  function length(text) { return Array.from(text.replace(/\r\n/g, "\n")).length; }

  function setUp(field) {
    var limit = parseInt(field.getAttribute("data-max-length"), 10);
    if (!limit || field.hasAttribute("data-counted")) return;
    field.setAttribute("data-counted", "");
    var counter = document.createElement("p");
    counter.className = "char-counter";
    counter.id = (field.id || field.name) + "-counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);

    function update() {
      var count = length(field.value);
      var over = count - limit;
      counter.classList.toggle("is-over", over > 0);
      counter.classList.toggle("is-near", over <= 0 && count >= limit * 0.9);
      if (over > 0) {
        counter.textContent = format(over) + (over === 1 ? " character" : " characters") +
          " over the limit of " + format(limit) + ": shorten it to send.";
        field.setAttribute("aria-invalid", "true");
      } else {
        counter.textContent = format(count) + " / " + format(limit) + " characters";
        if (!field.closest(".field-error, .errors")) field.removeAttribute("aria-invalid");
      }
      return over > 0;
    }
    field.addEventListener("input", update);
    field.saypro_isOver = update;
    update();
  }

  function init() {
    document.querySelectorAll("[data-max-length]").forEach(setUp);
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var fields = Array.prototype.filter.call(document.querySelectorAll("[data-counted]"), function (field) {
        return field.form === form;
      });
      var tooLong = fields.filter(function (field) { return field.saypro_isOver(); });
      if (tooLong.length) {
        event.preventDefault();
        tooLong[0].focus();
      }
    }, true);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* The console sidebar: typing in Django's filter box opens the collapsed "Records" group, so a
   matching model list is not hidden inside it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var filter = document.getElementById("nav-filter");
    var records = document.querySelector("#nav-sidebar .sp-records");
    if (!filter || !records) return;
    function reveal() { if (filter.value) records.open = true; }
    filter.addEventListener("input", reveal);
    reveal();
  });
})();
