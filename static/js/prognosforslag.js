/* The month grid's proposed helårsprognos (templates/ekonomi/prognosforslag.html): "Använd" fills the row's prognos
 * input with the proposal, rounded to whole units of the unit shown (as the text beside it), and moves focus there.
 * Nothing is saved: the user saves as usual (Spara / Ctrl+S) through the grid's save and the edit guard. The input
 * event lets manadsgrid.js recompute the totals and inmatning.js count the change. When the unit is switched the
 * proposal's text follows. Without this file the button posts the row id and the server fills the input in.
 * No inline scripts (CSP).
 */
(function () {
  "use strict";

  var form = document.getElementById("manadsgrid");
  if (!form) return;
  var MINUS = "\u2212", NBSP = "\u00a0";
  var ORE_PER = { tkr: 100000, kr: 100 };

  function enhet() {
    var val = document.getElementById("id_enhet"), falt = form.querySelector("input[name=visad_enhet]");
    var e = falt ? falt.value : (val ? val.value : "tkr");
    return e === "kr" ? "kr" : "tkr";
  }

  /* Kronor as a plain decimal ("12345000", "-480") → whole öre; "" → null. */
  function ore(text) {
    var m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text || "");
    if (!m) return null;
    var o = parseInt(m[2], 10) * 100 + parseInt(((m[3] || "") + "00").slice(0, 2), 10);
    return m[1] ? -o : o;
  }

  /* öre → whole units of the unit, half away from zero (berakning.avrunda). */
  function helaEnheter(o, enh) {
    var per = ORE_PER[enh], abs = Math.abs(o), hel = Math.floor(abs / per);
    if ((abs % per) * 2 >= per) hel += 1;
    return o < 0 ? -hel : hel;
  }

  function text(hel) {
    var s = String(Math.abs(hel)).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    return (hel < 0 ? MINUS : "") + s;
  }

  form.addEventListener("click", function (e) {
    var knapp = e.target.closest && e.target.closest("button.anvand-forslag");
    if (!knapp) return;
    var inp = document.getElementById("r" + knapp.value + "-prognos");
    var o = ore(knapp.dataset.forslag);
    if (!inp || inp.disabled || inp.readOnly || o === null) return;  // let the form post it
    e.preventDefault();
    inp.value = text(helaEnheter(o, enhet()));
    inp.dispatchEvent(new Event("input", { bubbles: true }));
    inp.focus();
    if (inp.select) inp.select();
  });

  function visaForslag() {
    var enh = enhet();
    form.querySelectorAll(".prognosforslag").forEach(function (ruta) {
      var visning = ruta.querySelector("[data-forslag-visning]"), o = ore(ruta.dataset.forslag);
      if (visning && o !== null) visning.textContent = text(helaEnheter(o, enh));
    });
  }

  var val = document.getElementById("id_enhet");
  if (val) val.addEventListener("change", function () { window.setTimeout(visaForslag, 0); });
})();
