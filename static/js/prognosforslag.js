/* The month grid's proposed helårsprognos (templates/ekonomi/prognosforslag.html): "Använd" fills the row's prognos
 * input with the proposal, rounded to whole units of the unit shown (as the text beside it), and moves focus there.
 * Nothing is saved: the user saves as usual (Spara / Ctrl+S) through the grid's save and the edit guard. The input
 * event lets manadsgrid.js recompute the totals and inmatning.js count the change. When the unit is switched the
 * proposal's text follows; Alt+F in a prognos cell is "Använd" from the keyboard. Without this file the button posts
 * the row id and the server fills the input in.
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

  /* Fills the row's prognos input from its "Använd" button; false when there is nothing to fill. */
  function anvand(knapp) {
    var inp = document.getElementById("r" + knapp.value + "-prognos");
    var o = ore(knapp.dataset.forslag);
    if (!inp || inp.disabled || inp.readOnly || o === null) return false;
    inp.value = text(helaEnheter(o, enhet()));
    inp.dispatchEvent(new Event("input", { bubbles: true }));
    inp.focus();
    if (inp.select) inp.select();
    return true;
  }

  form.addEventListener("click", function (e) {
    var knapp = e.target.closest && e.target.closest("button.anvand-forslag");
    if (knapp && anvand(knapp)) e.preventDefault();  // else the form posts it (the server fills it in)
  });
  /* A press on the button does not take focus: a focused comment field is taller (grid.css) and would shrink on
     blur, moving the button away before the mouse is released, so the click would be lost. */
  form.addEventListener("mousedown", function (e) {
    if (e.button === 0 && e.target.closest && e.target.closest("button.anvand-forslag")) e.preventDefault();
  });

  /* Tab keeps going from cell to cell (utfall → prognos → kommentar) as in a spreadsheet: the buttons leave the
     tab order, and Alt+F in a row's prognos cell does what its "Använd" does. The buttons stay clickable and in
     the accessibility tree; without this file they are ordinary buttons in the tab order. */
  var knappar = form.querySelectorAll("button.anvand-forslag");
  knappar.forEach(function (k) {
    k.tabIndex = -1;
    k.setAttribute("aria-keyshortcuts", "Alt+F");
  });
  form.addEventListener("keydown", function (e) {
    var el = e.target;
    if (!e.altKey || e.ctrlKey || e.metaKey || e.code !== "KeyF" || !el.dataset || el.dataset.kol !== "prognos") return;
    var rad = el.closest("tr[data-rad]"), knapp = rad && rad.querySelector("button.anvand-forslag");
    if (knapp && anvand(knapp)) e.preventDefault();
  });
  if (knappar.length) {
    document.querySelectorAll(".tangenthjalp").forEach(function (p) {
      p.appendChild(document.createTextNode(" Alt+F i en helårsprognos fyller i radens prognosförslag."));
    });
  }

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
