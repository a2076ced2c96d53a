/* A filter that applies as soon as it is chosen: a <select data-submit-on-change> submits its
   form on change (without script, the form's own button does it). */
(function () {
  "use strict";
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.submit();
    });
  });
})();
