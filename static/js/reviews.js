/* SayPro review pages: the response template picker and the live preview. Vanilla JS, no
   dependencies; everything works without it (the picker is a GET form, ?template=<id>, and the
   "Preview" button asks the server). The standards check itself stays on the server. */
(function () {
  "use strict";

  function templates() {
    var data = document.getElementById("review-templates-data");
    return data ? JSON.parse(data.textContent) : [];
  }

  // The star picker's words beside the stars ("4 stars: Good"); the radio buttons do the rest.
  function starPicker() {
    document.querySelectorAll("[data-star-picker]").forEach(function (picker) {
      var text = picker.querySelector("[data-star-picker-text]");
      picker.addEventListener("change", function (event) {
        var label = picker.querySelector('label[for="' + event.target.id + '"]');
        if (text && label) text.textContent = label.getAttribute("title");
      });
    });
  }

  function init() {
    starPicker();
    var box = document.querySelector(".reply-form textarea[name=body]");
    var field = document.querySelector(".reply-form input[name=template]");
    var preview = document.querySelector("[data-preview]");
    var previewText = document.querySelector("[data-preview-text]");
    var previewCheck = document.querySelector("[data-preview-check]");
    if (!box) return;

    function update() {
      if (!preview || !previewText) return;
      var text = box.value.trim();
      preview.hidden = !text;
      previewText.textContent = box.value;  // plain text: never HTML
      if (previewCheck) previewCheck.hidden = true;  // the server re-checks on publish
    }

    var picker = document.querySelector("[data-review-template-picker]");
    if (picker) {
      picker.addEventListener("change", function () {
        var chosen = templates().find(function (item) { return String(item.id) === picker.value; });
        if (!chosen) return;
        box.value = chosen.text;
        if (field) field.value = chosen.id;
        update();
        box.focus();
      });
    }
    box.addEventListener("input", function () {
      if (field && !box.value.trim()) field.value = "";
      update();
    });
    if (previewText) previewText.style.whiteSpace = "pre-wrap";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
