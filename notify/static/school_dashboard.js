/* The school dashboard: polls schools.json every three seconds and rewrites the per-township
   counts in place, so the education bureau sees confirmations arrive without reloading. */
(function () {
  "use strict";
  var root = document.getElementById("school-dashboard");
  if (!root) return;
  var url = root.getAttribute("data-url");
  var INTERVAL = 3000;

  function fill(row, values) {
    if (!row) return;
    row.querySelectorAll("[data-count]").forEach(function (cell) {
      var key = cell.getAttribute("data-count");
      if (key in values) cell.textContent = String(values[key]);
    });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        data.townships.forEach(function (t) {
          fill(root.querySelector('tr[data-township="' + t.township_id + '"]'), t);
        });
        fill(root.querySelector('tr[data-township="total"]'), data.total);
        root.setAttribute("data-updated", data.at);
      })
      .catch(function () { /* keep the last figures; try again at the next tick */ })
      .then(function () { setTimeout(poll, INTERVAL); });
  }
  setTimeout(poll, INTERVAL);
})();
