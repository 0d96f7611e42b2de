// Camera scanning for the consumer page. It uses the browser's
// BarcodeDetector (Shape Detection API) where available; elsewhere the
// scan button stays hidden and the form works as typed input.
(function () {
  "use strict";
  var button = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var input = document.getElementById("code");
  if (!button || !video || !input) {
    return;
  }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var label = button.textContent;
  var stream = null;
  var timer = 0;

  function stop() {
    if (timer) {
      window.clearTimeout(timer);
      timer = 0;
    }
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
    video.hidden = true;
    button.textContent = label;
  }

  function start(detector) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      button.textContent = button.dataset.stop;
      return video.play();
    }).then(function () {
      var tick = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length > 0 && codes[0].rawValue) {
            input.value = codes[0].rawValue;
            stop();
            input.form.submit();
            return;
          }
          timer = window.setTimeout(tick, 250);
        }).catch(function () {
          timer = window.setTimeout(tick, 500);
        });
      };
      tick();
    }).catch(function (err) {
      stop();
      status.textContent = button.dataset.unsupported + " (" + err.name + ")";
    });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    var wanted = ["qr_code", "data_matrix", "ean_13", "ean_8", "code_128", "upc_a"].filter(function (f) {
      return formats.indexOf(f) >= 0;
    });
    if (wanted.length === 0) {
      return;
    }
    var detector = new window.BarcodeDetector({ formats: wanted });
    button.hidden = false;
    button.addEventListener("click", function () {
      if (stream) {
        stop();
      } else {
        start(detector);
      }
    });
  });
})();
