// On a slow connection a phone photo of 3-5 MB is the whole cost of the request: shrink it
// to at most 1600 px (JPEG) in the browser before sending. Anything unsupported, or a
// photo that is already small, is sent as it is; the server checks it either way.
(function () {
  "use strict";
  var MAX_SIDE = 1600, SMALL = 400 * 1024;
  document.querySelectorAll("form[data-shrink-photo]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var file = input && input.files && input.files[0];
      if (!file || file.size <= SMALL || form.dataset.shrunk || !window.createImageBitmap ||
          !window.DataTransfer || !/^image\//.test(file.type)) {
        return;
      }
      event.preventDefault();
      form.dataset.shrunk = "1";
      createImageBitmap(file).then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (blob && blob.size < file.size) {
            var list = new DataTransfer();
            list.items.add(new File([blob], "photo.jpg", {type: "image/jpeg"}));
            input.files = list.files;
          }
          form.submit();
        }, "image/jpeg", 0.8);
      }).catch(function () { form.submit(); });
    });
  });
})();
