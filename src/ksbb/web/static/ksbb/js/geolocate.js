/* "Use my position" on the field pages (issue 15): fills the latitude and longitude fields
   from the phone's location, after the browser has asked the user. The fields stay editable;
   without JavaScript or without location support the button stays hidden and the fields are
   typed as before. The page's Permissions-Policy allows geolocation (ksbb.web.field).

   <button type="button" data-geolocate="LAT_ID LON_ID" data-status="STATUS_ID"
           data-busy="..." data-done="... {m} ..." data-failed="..." hidden> */
(function () {
  "use strict";
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("button[data-geolocate]").forEach(function (button) {
    var ids = button.getAttribute("data-geolocate").split(/\s+/);
    var lat = document.getElementById(ids[0]);
    var lon = document.getElementById(ids[1]);
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!lat || !lon) return;
    button.hidden = false;
    function say(text) { if (status) status.textContent = text; }
    button.addEventListener("click", function () {
      button.disabled = true;
      say(button.getAttribute("data-busy"));
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        say(button.getAttribute("data-done").replace("{m}",
          String(Math.round(position.coords.accuracy))));
        button.disabled = false;
      }, function () {
        say(button.getAttribute("data-failed"));
        button.disabled = false;
      }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
    });
  });
})();
