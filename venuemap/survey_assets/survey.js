// The survey page: take the phone's position (or pasted Amap/Baidu coordinates), let the user
// drag the pin to confirm, and submit once. Served by venuemap's survey server; no CDN.
(function () {
  "use strict";
  var venue = JSON.parse(document.getElementById("venue-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var state = { lon: null, lat: null, source: null, accuracy: null, deviceLon: null,
                deviceLat: null, photo: null };

  var map = L.map("map", { zoomControl: true, attributionControl: false })
    .setView([venue.lat, venue.lon], 14);
  L.control.scale({ imperial: false }).addTo(map);
  L.circleMarker([venue.lat, venue.lon], { radius: 7, color: "#777", fillOpacity: 0.5 })
    .addTo(map).bindTooltip("系统中现有位置");
  var pin = null, ring = null;

  function say(id, text, cls) { var el = $(id); el.textContent = text; el.className = "status " + (cls || ""); }

  function metres(lat1, lon1, lat2, lon2) {
    var r = 6371008.8, p = Math.PI / 180;
    var a = Math.sin((lat2 - lat1) * p / 2) ** 2 +
            Math.cos(lat1 * p) * Math.cos(lat2 * p) * Math.sin((lon2 - lon1) * p / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(a));
  }

  function place(lat, lon) {
    if (!pin) {
      pin = L.marker([lat, lon], { draggable: true, title: "拖动以调整" }).addTo(map);
      pin.on("dragend", function () {
        var p = pin.getLatLng();
        // A dragged pin is what the user confirms; keep the device's reading beside it.
        state.lat = p.lat; state.lon = p.lng;
        if (state.source !== "device") { state.source = "wgs84"; }
        showMoved();
      });
    } else { pin.setLatLng([lat, lon]); }
    // Show both the register's point and the new one, so the move can be judged at a glance.
    map.fitBounds(L.latLngBounds([[venue.lat, venue.lon], [lat, lon]]),
                  { padding: [30, 30], maxZoom: 16 });
    showMoved();
    $("submit").disabled = false;
  }

  function showMoved() {
    var d = metres(venue.lat, venue.lon, state.lat, state.lon);
    say("moved", "与系统现有位置相距约 " + (d < 1000 ? Math.round(d) + " 米" : (d / 1000).toFixed(1) + " 公里"));
  }

  $("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { say("accuracy", "此浏览器不能定位，请粘贴地图坐标。", "error"); return; }
    say("accuracy", "正在定位……");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var c = pos.coords;
      state.lat = c.latitude; state.lon = c.longitude; state.source = "device";
      state.accuracy = c.accuracy; state.deviceLat = c.latitude; state.deviceLon = c.longitude;
      say("accuracy", "定位精度约 " + Math.round(c.accuracy) + " 米。可拖动标记调整。", "ok");
      if (ring) { map.removeLayer(ring); }
      ring = L.circle([c.latitude, c.longitude], { radius: c.accuracy, weight: 1 }).addTo(map);
      place(c.latitude, c.longitude);
    }, function (err) {
      say("accuracy", "无法定位（" + err.message + "）。请允许定位，或粘贴地图坐标。", "error");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  });

  $("use-pasted").addEventListener("click", function () {
    var parts = $("pasted").value.replace(/，/g, ",").split(/[,\s]+/).filter(Boolean);
    var lon = Number(parts[0]), lat = Number(parts[1]);
    if (parts.length !== 2 || !isFinite(lon) || !isFinite(lat)) {
      say("accuracy", "请按“经度,纬度”粘贴，例如 102.0114,35.5263", "error"); return;
    }
    state.source = $("pasted-crs").value; state.lon = lon; state.lat = lat; state.accuracy = null;
    // The pin shows the pasted value as given; the server converts GCJ-02/BD-09 to WGS84.
    say("accuracy", "已使用粘贴的坐标（" + $("pasted-crs").selectedOptions[0].text + "）。", "ok");
    place(lat, lon);
  });

  $("photo").addEventListener("change", function () {
    var file = this.files && this.files[0];
    if (!file) { state.photo = null; say("photo-name", "未选择照片"); return; }
    say("photo-name", "已选择：" + file.name);
    var img = new Image();
    img.onload = function () {
      var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      state.photo = canvas.toDataURL("image/jpeg", 0.8);
      URL.revokeObjectURL(img.src);
    };
    img.src = URL.createObjectURL(file);
  });

  $("submit").addEventListener("click", function () {
    var orgs = Array.prototype.map.call(
      document.querySelectorAll('input[name="org"]:checked'), function (el) { return el.value; });
    var body = {
      nonce: venue.nonce, source: state.source, lon: state.lon, lat: state.lat,
      accuracy_m: state.accuracy, device_lon: state.deviceLon, device_lat: state.deviceLat,
      opening_hours: $("opening_hours").value, contact: $("contact").value,
      organizations: orgs, floor_area_m2: $("floor_area_m2").value, photo: state.photo
    };
    $("submit").disabled = true;
    say("result", "正在提交……");
    fetch(window.location.pathname, { method: "POST", headers: { "Content-Type": "application/json" },
                                      body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        if (res[0] === 201) {
          say("result", "已提交，等待规划人员审核。谢谢！（编号 " + res[1].id + "）", "ok");
        } else {
          say("result", res[1].error || "提交失败", "error");
          if (res[0] !== 409) { $("submit").disabled = false; }
        }
      })
      .catch(function () { say("result", "网络错误，请稍后重试。", "error"); $("submit").disabled = false; });
  });
})();
