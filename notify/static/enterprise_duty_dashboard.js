/* The enterprise duty dashboard: polls enterprise-duties.json every three seconds and rewrites
   the per-township counts and reductions in place, so the office sees confirmations arrive and
   deadlines pass without reloading. */
(function () {
  "use strict";
  var root = document.getElementById("enterprise-duty-dashboard");
  if (!root) return;
  var url = root.getAttribute("data-url");
  var INTERVAL = 3000;

  function show(value, format) {
    if (format === "t") return Number(value).toFixed(2);
    if (format === "pct") return value === null ? "\u2014" : Number(value).toFixed(1) + "%";
    return String(value);
  }

  function fill(key, values) {
    root.querySelectorAll('tr[data-township="' + key + '"]').forEach(function (row) {
      row.querySelectorAll("[data-count]").forEach(function (cell) {
        var name = cell.getAttribute("data-count");
        if (name in values) cell.textContent = show(values[name], cell.getAttribute("data-format"));
      });
    });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        data.townships.forEach(function (t) { fill(t.township_id, t); });
        fill("total", data.total);
        root.setAttribute("data-updated", data.at);
      })
      .catch(function () { /* keep the last figures; try again at the next tick */ })
      .then(function () { setTimeout(poll, INTERVAL); });
  }
  setTimeout(poll, INTERVAL);
})();
