// Tip-off form helpers. The form works without them; they only make a phone report easier.
// 1. Offer the GPS position recorded in a chosen photo as the map point, before upload: the
//    server strips it from the photo, so this is the reporter's only chance to keep it.
// 2. "Use my current location" through the browser (no outside map service is needed).
// 3. A fresh captcha picture on request.
(function () {
  "use strict";
  var form = document.querySelector("[data-test=tipoff-form]");
  if (!form) return;
  var lat = form.querySelector("input[name=latitude]");
  var lon = form.querySelector("input[name=longitude]");
  var offer = document.getElementById("photo-location");
  var found = null;

  function setPoint(a, b) { lat.value = a.toFixed(6); lon.value = b.toFixed(6); }

  // Minimal EXIF reader: JPEG APP1 "Exif" → TIFF IFD0 → GPS IFD (tag 0x8825) → lat/lon.
  function gpsFromJpeg(buf) {
    var v = new DataView(buf);
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) return null;
    var off = 2;
    while (off + 4 <= v.byteLength) {
      var marker = v.getUint16(off), size = v.getUint16(off + 2);
      if (marker === 0xFFE1 && v.getUint32(off + 4) === 0x45786966) return gpsFromTiff(v, off + 10);
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) return null;
      off += 2 + size;
    }
    return null;
  }
  function gpsFromTiff(v, t) {
    var le = v.getUint16(t) === 0x4949;
    function u16(o) { return v.getUint16(t + o, le); }
    function u32(o) { return v.getUint32(t + o, le); }
    function entries(ifd) {
      var n = u16(ifd), out = {};
      for (var i = 0; i < n; i++) {
        var e = ifd + 2 + i * 12;
        out[u16(e)] = { type: u16(e + 2), count: u32(e + 4), at: e + 8 };
      }
      return out;
    }
    var ifd0 = entries(u32(4));
    if (!ifd0[0x8825]) return null;
    var gps = entries(u32(ifd0[0x8825].at));
    function ref(tag) { return gps[tag] ? String.fromCharCode(v.getUint8(t + gps[tag].at)) : ""; }
    function dms(tag) {
      if (!gps[tag] || gps[tag].count < 3) return null;
      var p = u32(gps[tag].at), r = [];
      for (var i = 0; i < 3; i++) { var d = u32(p + i * 8 + 4); r.push(d ? u32(p + i * 8) / d : 0); }
      return r[0] + r[1] / 60 + r[2] / 3600;
    }
    var a = dms(2), b = dms(4);
    if (a === null || b === null || (a === 0 && b === 0)) return null;
    if (ref(1) === "S") a = -a;
    if (ref(3) === "W") b = -b;
    return [a, b];
  }

  var photos = form.querySelector("input[type=file]");
  if (photos && window.FileReader) {
    photos.addEventListener("change", function () {
      found = null; offer.hidden = true;
      Array.prototype.forEach.call(photos.files, function (file) {
        var reader = new FileReader();
        reader.onload = function () {
          var point = null;
          try { point = gpsFromJpeg(reader.result); } catch (e) { point = null; }
          if (point && !found) {
            found = point;
            var span = offer.querySelector("span");
            span.textContent = span.getAttribute("data-template").replace("{point}", point[0].toFixed(5) + ", " + point[1].toFixed(5));
            offer.hidden = false;
          }
        };
        reader.readAsArrayBuffer(file.slice(0, 256 * 1024));
      });
    });
  }
  document.getElementById("use-photo-location").addEventListener("click", function () {
    if (found) { setPoint(found[0], found[1]); offer.hidden = true; }
  });
  var here = document.getElementById("use-my-location");
  if (!navigator.geolocation) { here.hidden = true; }
  here.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      setPoint(pos.coords.latitude, pos.coords.longitude);
    }, function () {}, { enableHighAccuracy: true, timeout: 10000 });
  });
  var img = document.getElementById("captcha-image");
  document.getElementById("captcha-refresh").addEventListener("click", function () {
    img.src = img.src.split("?")[0] + "?r=" + Date.now();
  });
})();
