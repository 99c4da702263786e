/* Camera scanning of beneficiary cards: progressive enhancement, no build step.

   window.amparoScan.start(video, onToken[, options]) → Promise of a stop() function
     Opens the back camera into `video` and calls onToken(text) once, with the first QR code
     read; then stops the camera. options.once === false keeps reading (onToken per new code).
   window.amparoScan.decode(source) → Promise of the text of a QR code in an image, video or
     canvas, or null.
   window.amparoScan.available() → whether a camera may be asked for (a secure context:
     HTTPS or localhost, and getUserMedia).

   Decoding: the browser's BarcodeDetector (qr_code) where it exists; else jsQR 1.4.0
   (Apache-2.0), vendored in vendor/jsQR.js and loaded only then. Without either, or without
   a camera, the card number is typed (a USB scanner types it too). */
(function () {
  "use strict";

  var script = document.currentScript;
  var jsqrUrl = script && script.dataset.jsqr;
  var jsqrLoading = null;
  var detector = null;

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!jsqrLoading) {
      jsqrLoading = new Promise(function (resolve, reject) {
        if (!jsqrUrl) { reject(new Error("no jsQR")); return; }
        var tag = document.createElement("script");
        tag.src = jsqrUrl;
        tag.onload = function () { resolve(window.jsQR); };
        tag.onerror = function () { jsqrLoading = null; reject(new Error("jsQR did not load")); };
        document.head.appendChild(tag);
      });
    }
    return jsqrLoading;
  }

  /* The decoder: a function (source) → Promise of text or null. */
  function decoder() {
    if (detector) return Promise.resolve(detector);
    var native = "BarcodeDetector" in window
      ? window.BarcodeDetector.getSupportedFormats().catch(function () { return []; })
      : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) {
        var barcodes = new window.BarcodeDetector({ formats: ["qr_code"] });
        detector = function (source) {
          return barcodes.detect(source).then(function (found) {
            return found.length ? found[0].rawValue : null;
          });
        };
        return detector;
      }
      return loadJsQR().then(function (jsQR) {
        var canvas = document.createElement("canvas");
        var context = canvas.getContext("2d", { willReadFrequently: true });
        detector = function (source) {
          var width = source.videoWidth || source.naturalWidth || source.width;
          var height = source.videoHeight || source.naturalHeight || source.height;
          if (!width || !height) return Promise.resolve(null);
          canvas.width = width;
          canvas.height = height;
          context.drawImage(source, 0, 0, width, height);
          var pixels = context.getImageData(0, 0, width, height);
          var code = jsQR(pixels.data, width, height, { inversionAttempts: "dontInvert" });
          return Promise.resolve(code ? code.data : null);
        };
        return detector;
      });
    });
  }

  function decode(source) {
    return decoder().then(function (detect) { return detect(source); });
  }

  function available() {
    return Boolean(window.isSecureContext && navigator.mediaDevices &&
      navigator.mediaDevices.getUserMedia);
  }

  function start(video, onToken, options) {
    var once = !options || options.once !== false;
    if (!available()) return Promise.reject(new Error("no camera here (HTTPS or localhost)"));
    var stream = null;
    var timer = null;
    var last = null;
    var busy = false;
    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.srcObject = null;
    }
    return decoder().then(function (detect) {
      return navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" }, audio: false
      }).then(function (media) {
        stream = media;
        video.srcObject = media;
        video.setAttribute("playsinline", "");
        video.muted = true;
        return video.play();
      }).then(function () {
        timer = setInterval(function () {
          if (busy || !stream || video.readyState < 2) return;
          busy = true;
          detect(video).then(function (text) {
            busy = false;
            if (!text || text === last || !stream) return;
            last = text;
            if (once) stop();
            onToken(text);
          }, function () { busy = false; });
        }, 200);
        return stop;
      }, function (error) { stop(); throw error; });
    });
  }

  window.amparoScan = { start: start, decode: decode, available: available };

  /* The distribution screen: a "Scan with the camera" button next to the card number field;
     a code read fills the field and checks the household in. */
  function enhance(form) {
    var panel = form.querySelector(".scan");
    var video = form.querySelector(".scan-video");
    var field = form.querySelector("input[name=card]");
    if (!panel || !video || !field || !available()) return;
    var startButton = panel.querySelector(".scan-start");
    var stopButton = panel.querySelector(".scan-stop");
    var stopCamera = null;
    panel.hidden = false;
    video.style.width = "100%";
    video.style.maxHeight = "50vh";
    function reset() {
      if (stopCamera) stopCamera();
      stopCamera = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    }
    startButton.addEventListener("click", function () {
      video.hidden = false;
      startButton.hidden = true;
      stopButton.hidden = false;
      start(video, function (text) {
        field.value = text;
        reset();
        form.submit();
      }).then(function (stop) { stopCamera = stop; }, reset);
    });
    stopButton.addEventListener("click", reset);
  }

  function ready() {
    document.querySelectorAll("form#checkin").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
