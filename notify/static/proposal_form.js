/* The draft form: choosing another level reloads the form with that level's advice, as long
   as nothing else was typed yet (a reload would lose it). No inline script: the pages'
   Content-Security-Policy runs only files like this one. */
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  if (!form) return;
  form.addEventListener("input", function (event) {
    if (event.target.name !== "level") form.dataset.dirty = "1";
  });
  var level = form.querySelector("[data-reload-on-change]");
  if (!level) return;
  level.addEventListener("change", function () {
    if (form.dataset.dirty) return;
    var url = new window.URL(window.location.href);
    url.searchParams.set("level", level.value);
    window.location.href = url.toString();
  });
})();
