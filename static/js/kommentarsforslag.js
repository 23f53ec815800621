/* The month grid's drafted comments (templates/ekonomi/kommentarsforslag.html): "Använd förslaget" puts the draft in
 * the row's Kommentar field and moves focus there, so the user can edit it before saving. Nothing is saved here: the
 * user saves as usual (Spara / Ctrl+S) through the grid's save and the edit guard. The input event lets inmatning.js
 * count the change (unsaved-changes warning). Without this file the button posts the grid with the draft as the
 * row's comment. No inline scripts (CSP).
 */
(function () {
  "use strict";

  var form = document.getElementById("manadsgrid");
  if (!form) return;

  form.addEventListener("click", function (e) {
    var knapp = e.target.closest && e.target.closest("button.anvand-kommentar");
    if (!knapp) return;
    var falt = document.getElementById("r" + knapp.value + "-kommentar");
    var ruta = document.getElementById("r" + knapp.value + "-kommentarsforslag");
    var text = ruta && ruta.querySelector("[data-kommentarsforslag]");
    if (!falt || falt.disabled || falt.readOnly || !text) return;  // let the form post it
    e.preventDefault();
    falt.value = text.textContent;
    falt.dispatchEvent(new Event("input", { bubbles: true }));
    falt.focus();
  });
  /* A press on the button does not take focus: a focused comment field is taller (grid.css) and would shrink on
     blur, moving the button away before the mouse is released, so the click would be lost (as in prognosforslag.js). */
  form.addEventListener("mousedown", function (e) {
    if (e.button === 0 && e.target.closest && e.target.closest("button.anvand-kommentar")) e.preventDefault();
  });
})();
