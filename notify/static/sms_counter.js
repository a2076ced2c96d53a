/* SMS length and segments on the draft form.

   smsCount mirrors notify/channels/sms_segments.py (pure printable ASCII: GSM-7, 160 / 153,
   ^{}\[~]| count two; anything else: UCS-2 in UTF-16 units, 70 / 67) for instant feedback;
   the figures shown come from the server, which renders the texts through the same templates
   that freeze them at approval. A test checks that both agree. */
(function () {
  "use strict";
  var EXTENDED = "^{}\\[~]|";

  function isGsm7Ascii(text) {
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (!(c === 10 || (c >= 32 && c < 127)) || text[i] === "`") return false;
    }
    return true;
  }

  function smsCount(text, signature) {
    var full = (signature || "") + (text || "");
    var length, single, part, encoding;
    if (isGsm7Ascii(full)) {
      length = 0;
      for (var i = 0; i < full.length; i++) length += EXTENDED.indexOf(full[i]) >= 0 ? 2 : 1;
      single = 160; part = 153; encoding = "GSM-7";
    } else {
      length = full.length;  // JavaScript strings are UTF-16 code units, as UCS-2 counts them
      single = 70; part = 67; encoding = "UCS-2";
    }
    if (length === 0) return {encoding: encoding, length: 0, segments: 0};
    return {encoding: encoding, length: length, segments: length <= single ? 1 : Math.ceil(length / part)};
  }
  window.smsCount = smsCount;

  var panel = document.getElementById("sms-preview");
  var form = document.getElementById("proposal-form");
  if (!panel || !form || !panel.getAttribute("data-url")) return;
  var url = panel.getAttribute("data-url");
  var DELAY = 400;
  var timer = null, seq = 0;

  function show(lang, f) {
    var box = panel.querySelector('[data-sms="' + lang + '"]');
    box.querySelector('[data-field="text"]').textContent = f.text;
    box.querySelector('[data-field="length"]').textContent = String(f.length);
    box.querySelector('[data-field="segments"]').textContent = String(f.segments);
    box.querySelector('[data-field="encoding"]').textContent = f.encoding;
    // What each route's phones show: the domestic gateway's signature or the one in the text.
    Object.keys(f.routes || {}).forEach(function (route) {
      var line = box.querySelector('[data-route="' + route + '"]');
      if (!line) return;
      line.querySelector('[data-field="route-length"]').textContent = String(f.routes[route].length);
      line.querySelector('[data-field="route-segments"]').textContent = String(f.routes[route].segments);
    });
    // The browser's own count, kept beside the server's for the consistency test.
    box.setAttribute("data-js-segments", String(smsCount(f.text).segments));
    box.setAttribute("data-js-length", String(smsCount(f.text).length));
  }

  function refresh() {
    timer = null;
    var mine = ++seq;
    panel.setAttribute("data-state", "loading");
    fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (mine !== seq) return;  // a later edit's answer is on its way
        show("zh", data.sms.zh);
        show("en", data.sms.en);
        panel.querySelector('[data-field="audience-size"]').textContent = String(data.audience.size);
        panel.querySelector('[data-field="audience-segments"]').textContent = String(data.audience.segments);
        panel.querySelector('[data-field="error"]').hidden = true;
        panel.setAttribute("data-state", "ready");
      })
      .catch(function () {
        if (mine !== seq) return;
        panel.querySelector('[data-field="error"]').hidden = false;
        panel.setAttribute("data-state", "error");
      });
  }

  function later() {
    panel.setAttribute("data-state", "editing");
    if (timer !== null) window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
