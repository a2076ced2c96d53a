/* The dispatch page: polls dispatch.json every two seconds and redraws the progress bar, the
   counts, the per-route table, the screens not reporting, the chart (inline SVG) and the gateway
   events. No framework: the console must work on a phone over a poor connection, so the page
   stays small. The order of the statuses is the server's (data.statuses): the labels arrive as a
   JSON object, whose keys come sorted. */
(function () {
  "use strict";
  var root = document.getElementById("dispatch");
  if (!root) return;
  var labels = JSON.parse(document.getElementById("dispatch-labels").textContent);
  var url = root.getAttribute("data-url");
  var INTERVAL = 2000;
  var SVG = "http://www.w3.org/2000/svg";
  var FAILED = ["undelivered", "failed", "dead", "expired"];
  var HANDED = ["accepted", "sent"];

  function sum(obj, keys) {
    return keys.reduce(function (n, k) { return n + (obj[k] || 0); }, 0);
  }
  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = String(value); });
  }

  function drawProgress(data) {
    var total = data.total || 0;
    var parts = {
      delivered: data.by_status.delivered || 0,
      handed: sum(data.by_status, HANDED),
      failed: sum(data.by_status, FAILED),
      unreachable: data.by_status.unreachable || 0
    };
    Object.keys(parts).forEach(function (name) {
      var bar = root.querySelector('[data-bar="' + name + '"]');
      bar.style.width = (total ? (100 * parts[name] / total) : 0) + "%";
    });
    var pct = total ? Math.round(1000 * data.settled / total) / 10 : 0;
    root.querySelector("[role=progressbar]").setAttribute("aria-valuenow", String(pct));
    setText('[data-field="final"]', data.final);
    setText('[data-field="unreachable"]', data.unreachable);
    root.querySelector('[data-show="unreachable"]').hidden = !data.unreachable;
    setText('[data-field="total"]', total);
    setText('[data-field="percent"]', pct);
    Object.keys(data.by_status).forEach(function (status) {
      setText('[data-count="' + status + '"]', data.by_status[status]);
    });
    var expansion = data.expansion || {expanding: false};
    root.querySelector('[data-show="expansion"]').hidden = !expansion.expanding;
    setText('[data-field="expansion-percent"]', expansion.percent);
    setText('[data-field="expansion-written"]', expansion.written);
    root.setAttribute("data-done", data.done ? "true" : "false");
  }

  function cell(tag, status, text) {
    var node = document.createElement(tag);
    node.className = "num";
    node.setAttribute("data-status", status);
    node.textContent = text;
    return node;
  }

  function drawRoutes(data) {
    var head = document.getElementById("route-head");
    var body = document.getElementById("route-rows");
    var statuses = data.statuses;
    head.textContent = "";
    head.appendChild(document.createElement("th"));
    statuses.forEach(function (s) {
      var th = cell("th", s, labels.statuses[s] || s);
      th.title = th.textContent;
      head.appendChild(th);
    });
    body.textContent = "";
    [[labels.channel, data.by_channel], [labels.gateway, data.by_gateway]].forEach(function (pair) {
      Object.keys(pair[1]).sort().forEach(function (key) {
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.textContent = pair[0] + ": " + key;
        tr.appendChild(th);
        statuses.forEach(function (s) {
          tr.appendChild(cell("td", s, String(pair[1][key][s] || 0)));
        });
        body.appendChild(tr);
      });
    });
  }

  function drawUnreachable(data) {
    var box = document.getElementById("unreachable-screens");
    var list = document.getElementById("unreachable-list");
    list.textContent = "";
    data.unreachable_screens.forEach(function (u) {
      var li = document.createElement("li");
      li.setAttribute("data-screen", String(u.screen_id));
      li.setAttribute("data-reason", u.reason);
      var name = document.createElement(u.url ? "a" : "strong");
      if (u.url) name.href = u.url;
      name.textContent = u.name;
      var why = document.createElement("span");
      why.className = "hint";
      why.textContent = u.text;
      li.appendChild(name);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(why);
      list.appendChild(li);
    });
    box.hidden = data.unreachable_screens.length === 0;
  }

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function clock(seconds) {
    // Beijing time, whatever the phone's own zone: the plan's deadlines are in Beijing time.
    var d = new Date((seconds + 8 * 3600) * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + (seconds % 60 ? ":" + two(d.getUTCSeconds()) : "");
  }

  function drawChart(data) {
    var svg = document.getElementById("dispatch-chart");
    var points = data.timeline;
    var W = 600, H = 200, top = 10, bottom = 20;
    svg.textContent = "";
    var width = data.bucket_seconds;
    setText('[data-field="bucket"]', (width < 60 ? labels.seconds.replace("{n}", width)
                                                 : labels.minutes.replace("{n}", width / 60)));
    if (!points.length) {
      var t = el("text", {x: W / 2, y: H / 2, "text-anchor": "middle", "class": "empty"});
      t.textContent = labels.empty;
      svg.appendChild(t);
      return;
    }
    // Fill empty buckets so that a pause shows as a gap, not as a squeezed axis.
    var first = points[0].t, last = points[points.length - 1].t;
    var byT = {};
    points.forEach(function (p) { byT[p.t] = p; });
    var series = [];
    for (var t0 = first; t0 <= last; t0 += width) {
      series.push(byT[t0] || {t: t0, accepted: 0, delivered: 0, failed: 0});
    }
    var max = 1;
    series.forEach(function (p) { max = Math.max(max, p.accepted, p.delivered, p.failed); });
    var slot = W / series.length;
    var barW = Math.max(slot / 3 - 1, 0.5);
    var plotH = H - top - bottom;
    series.forEach(function (p, i) {
      ["accepted", "delivered", "failed"].forEach(function (name, j) {
        var h = plotH * p[name] / max;
        if (h <= 0) return;
        var r = el("rect", {x: i * slot + j * (slot / 3), y: top + plotH - h, width: barW, height: h,
                            "class": "c-" + name, "data-series": name});
        var tip = document.createElementNS(SVG, "title");
        tip.textContent = clock(p.t) + " " + name + ": " + p[name];
        r.appendChild(tip);
        svg.appendChild(r);
      });
    });
    svg.appendChild(el("line", {x1: 0, y1: top + plotH, x2: W, y2: top + plotH, "class": "axis"}));
    var ticks = Math.min(series.length, 5);
    for (var k = 0; k < ticks; k++) {
      var idx = Math.round(k * (series.length - 1) / Math.max(ticks - 1, 1));
      var label = el("text", {x: Math.min(idx * slot + 2, W - 40), y: H - 4, "class": "tick"});
      label.textContent = clock(series[idx].t);
      svg.appendChild(label);
    }
    var maxLabel = el("text", {x: 2, y: top + 10, "class": "tick"});
    maxLabel.textContent = String(max);
    svg.appendChild(maxLabel);
  }

  function drawEvents(data) {
    var list = document.getElementById("gateway-events");
    list.textContent = "";
    data.events.forEach(function (e) {
      var li = document.createElement("li");
      li.setAttribute("data-event", e.event);
      var time = document.createElement("time");
      time.textContent = e.at.replace("T", " ").slice(0, 19) + " UTC ";
      var gw = document.createElement("strong");
      gw.textContent = e.gateway + " ";
      var what = document.createElement("span");
      what.textContent = (labels.events[e.event] || e.event) + " ";
      var detail = document.createElement("span");
      detail.className = "hint";
      detail.textContent = e.detail || "";
      [time, gw, what, detail].forEach(function (n) { li.appendChild(n); });
      list.appendChild(li);
    });
    document.getElementById("no-gateway-events").hidden = data.events.length > 0;
  }

  var timer = null, inflight = false;
  function poll() {
    timer = null;
    inflight = true;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        drawProgress(data);
        drawRoutes(data);
        drawUnreachable(data);
        drawChart(data);
        drawEvents(data);
      })
      .catch(function () { /* a missed poll is retried at the next tick */ })
      .then(function () { inflight = false; schedule(); });
  }
  function schedule() {
    if (timer === null && !document.hidden) timer = window.setTimeout(poll, INTERVAL);
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && timer === null && !inflight) poll();
  });
  poll();
})();
