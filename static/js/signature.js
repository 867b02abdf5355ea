/* Signature pad for the hand-over certificate: draw on <canvas data-signature-for="ID"> with a
 * finger, stylus or mouse; on submit, the drawing goes as a PNG data URL into <input id="ID">.
 * <button data-signature-clear="ID"> starts again. Nothing is sent when nothing was drawn.
 */
(function () {
  "use strict";

  function setUp(canvas) {
    var input = document.getElementById(canvas.getAttribute("data-signature-for"));
    if (!input) return;
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.strokeStyle = "#111";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    var clear = document.querySelector('[data-signature-clear="' + input.id + '"]');
    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        input.value = "";
      });
    }
    if (input.form) {
      input.form.addEventListener("submit", function () {
        input.value = drawn ? canvas.toDataURL("image/png") : "";
      });
    }
  }

  document.querySelectorAll("canvas[data-signature-for]").forEach(setUp);
})();
