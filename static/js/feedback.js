/* SayPro: the "Feedback" control in every page's footer. Without JavaScript its link opens the
   feedback page (/feedback/?from=<page>); with it, the same form opens in a dialog over the page
   and posts to the same place, which brings the visitor back here with a thank-you message. */
(function () {
  "use strict";

  function setUp() {
    var dialog = document.getElementById("feedback-dialog");
    var opener = document.querySelector("[data-feedback-open]");
    if (!dialog || !opener || typeof dialog.showModal !== "function") return;

    opener.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var first = dialog.querySelector("textarea");
      if (first) first.focus();
    });
    dialog.querySelectorAll("[data-feedback-close]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
    // A click on the backdrop (outside the form) closes it, as Escape does.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
