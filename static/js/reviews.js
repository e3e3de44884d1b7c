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

    function use(id) {
      var chosen = templates().find(function (item) { return String(item.id) === String(id); });
      if (!chosen) return false;
      box.value = chosen.text;
      if (field) field.value = chosen.id;
      box.dispatchEvent(new Event("input"));  // the character counter and the preview follow
      box.focus();
      return true;
    }

    var picker = document.querySelector("[data-review-template-picker]");
    if (picker) {
      picker.addEventListener("change", function () { use(picker.value); });
    }
    document.querySelectorAll("[data-use-review-template]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (use(button.getAttribute("data-use-review-template"))) {
          event.preventDefault();
          if (picker) picker.value = button.getAttribute("data-use-review-template");
        }
      });
    });
    box.addEventListener("input", function () {
      if (field && !box.value.trim()) field.value = "";
      update();
    });
    if (previewText) previewText.style.whiteSpace = "pre-wrap";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
