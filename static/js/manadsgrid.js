/* Månadsuppföljning grid: spreadsheet keyboard and live totals. The page works without this file
 * (plain form POST); this only adds to it. No inline scripts: everything the script needs is in data-
 * attributes (kronor as plain decimals) so that a strict Content-Security-Policy can forbid inline code.
 *
 * Keyboard: Tab/Shift+Tab = next/previous cell (native). Enter / Shift+Enter = same column in the next /
 * previous row (ArrowDown / ArrowUp too, in amount cells). Ctrl+S / Cmd+S = save. Esc = undo the cell's
 * change. Alt+Enter = a new line in a comment.
 *
 * Amounts are handled as whole öre (integers) so that sums are exact; the server stays the authority.
 *
 * Also live: the kommun's avvikelsegräns marked per row (rapporter.kontroller's rule, berakning.över_gräns) and
 * the plausibility warnings of ekonomi/rimlighet.py (same rules, same texts). The save bar, Ctrl+S, the error
 * summary's focus and the unsaved-changes warning are the entry pages' shared static/js/inmatning.js.
 * "#vo-<id>" in the address (the status page's "Till raden") puts focus in that row's first editable cell.
 */
(function () {
  "use strict";

  var MINUS = "\u2212", NBSP = "\u00a0", STRECK = "\u2013";
  var ORE_PER = { tkr: 100000, kr: 100 };   // öre in one unit
  var DECIMALER = { tkr: 5, kr: 2 };         // decimals of a unit that still are whole öre

  var form = document.getElementById("manadsgrid");
  if (!form) return;
  var tabell = document.getElementById("grid");
  var enhetsfalt = form.querySelector("input[name=visad_enhet]");
  var enhetsval = document.getElementById("id_enhet");
  var rader = Array.prototype.slice.call(tabell.querySelectorAll("tr[data-rad]"));
  var AR = parseInt(form.dataset.ar, 10), MANAD = parseInt(form.dataset.manad, 10);
  var MANADSNAMN = form.dataset.manadsnamn || "";
  var GANGER_FOREGAENDE_AR = 5, GANGER_BUDGET = 2;  // as ekonomi/rimlighet.py

  function enhet() { return enhetsfalt.value === "kr" ? "kr" : "tkr"; }

  // --- numbers -------------------------------------------------------------------------------------

  /* Typed text in a unit → öre (integer); "" → null; not a number → NaN. Accepts "1 234,5", "−1 022",
     "-1022", "1234", with normal, no-break or narrow spaces, like rapporter.format.parse_tal. */
  function tolka(text, enh) {
    var s = String(text).replace(/[\s\u00a0\u202f]/g, "").replace(MINUS, "-").replace(",", ".");
    if (s === "") return null;
    var m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
    if (!m || (m[2] === "" && !m[3])) return NaN;
    var dec = DECIMALER[enh], frac = m[3] || "";
    if (frac.length > dec && /[1-9]/.test(frac.slice(dec))) return NaN;  // finer than öre
    frac = (frac + "00000").slice(0, dec);
    var ore = parseInt((m[2] || "0") + frac, 10);
    return m[1] === "-" ? -ore : ore;
  }

  /* Kronor as a plain decimal string (data- attribute) → öre; "" → null. */
  function kronor(text) {
    if (text === undefined || text === null || text === "") return null;
    return tolka(text, "kr");
  }

  function gruppera(heltal) {
    return String(heltal).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  }

  /* öre → rounded figure in the unit ("1 042", "−35"), half away from zero; null → "–". */
  function visa(ore, enh) {
    if (ore === null || isNaN(ore)) return STRECK;
    var per = ORE_PER[enh], abs = Math.abs(ore);
    var hel = Math.floor(abs / per);
    if ((abs % per) * 2 >= per) hel += 1;
    return (ore < 0 && hel !== 0 ? MINUS : "") + gruppera(hel);
  }

  /* öre → exact amount in the unit for an input ("130,25" tkr), no rounding. */
  function exakt(ore, enh) {
    if (ore === null) return "";
    var per = ORE_PER[enh], abs = Math.abs(ore);
    var frac = String(abs % per);
    frac = ("00000" + frac).slice(-DECIMALER[enh]).replace(/0+$/, "");
    return (ore < 0 ? MINUS : "") + gruppera(Math.floor(abs / per)) + (frac ? "," + frac : "");
  }

  // --- live totals ---------------------------------------------------------------------------------

  function cell(rad, kol) { return rad.querySelector("[data-kol=" + kol + "]"); }

  function radvarden(rad, enh) {
    var d = rad.dataset, ut = cell(rad, "utfall"), pr = cell(rad, "prognos");
    var utfall = ut ? tolka(ut.value, enh) : kronor(d.utfallFast);
    var prognos = pr ? tolka(pr.value, enh) : kronor(d.prognosFast);
    [[ut, utfall], [pr, prognos]].forEach(function (p) {
      if (!p[0]) return;
      var fel = isNaN(p[1]) && p[1] !== null;
      // Marked invalid while unreadable; a cell the server marked stays so until the user changes it.
      if (fel) p[0].setAttribute("aria-invalid", "true");
      else if (!p[0].hasAttribute("aria-describedby") || p[0].value !== p[0].defaultValue) p[0].removeAttribute("aria-invalid");
      p[0].classList.toggle("andrad", p[0].value !== p[0].defaultValue);
    });
    var typat = { utfall: isNaN(utfall) ? null : utfall, prognos: isNaN(prognos) ? null : prognos };
    if (isNaN(utfall)) utfall = 0;      // an unreadable cell counts as empty until corrected
    if (isNaN(prognos)) prognos = null;
    var ack = kronor(d.ackBas) + (utfall || 0);
    var periodbudget = kronor(d.periodbudget), foregaende = kronor(d.foregaende);
    return {
      utfall: utfall || 0, ack: ack, periodbudget: periodbudget, avvikelse: periodbudget - ack,
      helarsbudget: kronor(d.helarsbudget), prognos: prognos,
      forandring: prognos === null || foregaende === null ? null : prognos - foregaende,
      typat: typat
    };
  }

  // --- the kommun's avvikelsegräns and plausibility ------------------------------------------------

  var GRANS_KR = kronor(form.dataset.gransKr);                 // öre; null = off
  var GRANS_HUNDRADELS_PROCENT = kronor(form.dataset.gransProcent);  // 5 % → 500; null = off

  /* berakning.över_gräns: |avvikelse| ≥ the limit in kronor, or ≥ |budget| × procent / 100 ("at least"). */
  function overGrans(avvikelse, budget) {
    var b = Math.abs(avvikelse);
    if (GRANS_KR && GRANS_KR > 0 && b >= GRANS_KR) return true;
    return !!(GRANS_HUNDRADELS_PROCENT && GRANS_HUNDRADELS_PROCENT > 0 && budget &&
              b * 10000 >= Math.abs(budget) * GRANS_HUNDRADELS_PROCENT);
  }

  function markera(rad, vilken, pa) {
    var m = rad.querySelector("[data-grans=" + vilken + "]");
    if (m) m.hidden = !pa;
  }

  /* ekonomi/rimlighet.py's rules and texts for the typed figures of a row. */
  function rimlighet(v, d) {
    var ut = { utfall: [], prognos: [] };
    var fg = kronor(d.utfallFg), budget = Math.abs(v.helarsbudget || 0), u = v.typat.utfall, p = v.typat.prognos;
    var fraga = " Stämmer beloppet och enheten?";
    if (u !== null && fg && Math.abs(u) >= GANGER_FOREGAENDE_AR * Math.abs(fg))
      ut.utfall.push("Utfall " + MANADSNAMN + " är minst " + GANGER_FOREGAENDE_AR + " gånger utfallet " +
                     MANADSNAMN + " " + (AR - 1) + "." + fraga);
    if (u !== null && budget && Math.abs(u) > budget)
      ut.utfall.push("Utfall " + MANADSNAMN + " är större än hela årets budget." + fraga);
    if (p !== null && budget && Math.abs(p) > GANGER_BUDGET * budget)
      ut.prognos.push("Helårsprognosen är mer än " + GANGER_BUDGET + " gånger årets budget." + fraga);
    return ut;
  }

  function visaRimlighet(rad, v) {
    var texter = rimlighet(v, rad.dataset);
    ["utfall", "prognos"].forEach(function (kol) {
      var inp = cell(rad, kol), ruta = rad.querySelector("[data-rimlighet=" + kol + "]");
      if (!inp || !ruta || inp.value === inp.defaultValue) return;  // unchanged: as the server said
      ruta.hidden = !texter[kol].length;
      ruta.lastChild.textContent = " " + texter[kol].join(" ");
    });
  }

  function skriv(rad, varden, enh) {
    Object.keys(varden).forEach(function (k) {
      var td = rad.querySelector("[data-visa=" + k + "]");
      if (td) td.textContent = visa(varden[k], enh);
    });
  }

  /* Column sums like berakning.summera_månad: prognos and förändring only where every row has one. */
  function summera(lista) {
    var s = { utfall: 0, ack: 0, periodbudget: 0, avvikelse: 0, helarsbudget: 0, prognos: 0, forandring: 0 };
    lista.forEach(function (v) {
      ["utfall", "ack", "periodbudget", "avvikelse", "helarsbudget"].forEach(function (k) { s[k] += v[k]; });
      ["prognos", "forandring"].forEach(function (k) {
        s[k] = s[k] === null || v[k] === null ? null : s[k] + v[k];
      });
    });
    if (!lista.length) { s.prognos = null; s.forandring = null; }
    return s;
  }

  function rakna() {
    var enh = enhet(), alla = [];
    Array.prototype.forEach.call(tabell.tBodies, function (tbody) {
      var grupp = [];
      Array.prototype.forEach.call(tbody.querySelectorAll("tr[data-rad]"), function (rad) {
        var v = radvarden(rad, enh);
        skriv(rad, { ack: v.ack, avvikelse: v.avvikelse, forandring: v.forandring }, enh);
        if (!cell(rad, "utfall") && !cell(rad, "prognos")) skriv(rad, { utfall: v.utfall, prognos: v.prognos }, enh);
        markera(rad, "period", overGrans(v.avvikelse, v.periodbudget));
        markera(rad, "helar", MANAD < 12 && v.prognos !== null && overGrans(v.helarsbudget - v.prognos, v.helarsbudget));
        visaRimlighet(rad, v);
        grupp.push(v);
        alla.push(v);
      });
      var delsumma = tbody.querySelector("tr[data-summa]");
      if (delsumma) skriv(delsumma, summera(grupp), enh);
    });
    skriv(tabell.querySelector("tr[data-summa=total]"), summera(alla), enh);
  }

  // --- keyboard ------------------------------------------------------------------------------------

  function flytta(fran, steg) {
    var rad = fran.closest("tr[data-rad]"), kol = fran.dataset.kol;
    for (var i = rader.indexOf(rad) + steg; i >= 0 && i < rader.length; i += steg) {
      var mal = cell(rader[i], kol);
      if (mal && !mal.disabled) {
        mal.focus();
        if (mal.select) mal.select();
        return;
      }
    }
  }

  tabell.addEventListener("keydown", function (e) {
    var el = e.target;
    if (!el.dataset || !el.dataset.kol || e.isComposing) return;
    if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();  // never the form's implicit submit
      if (e.altKey && el.tagName === "TEXTAREA") {
        if (!el.readOnly) {
          el.setRangeText("\n", el.selectionStart, el.selectionEnd, "end");
          el.dispatchEvent(new Event("input", { bubbles: true }));
        }
        return;
      }
      flytta(el, e.shiftKey ? -1 : 1);
    } else if ((e.key === "ArrowDown" || e.key === "ArrowUp") && el.tagName === "INPUT" && !e.altKey) {
      e.preventDefault();
      flytta(el, e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Escape" && el.value !== el.defaultValue && !el.readOnly) {
      e.preventDefault();
      el.value = el.defaultValue;
      rakna();
    }
  });

  tabell.addEventListener("input", function (e) {
    if (e.target.dataset && (e.target.dataset.kol === "utfall" || e.target.dataset.kol === "prognos")) rakna();
  });

  // --- unit: convert what is in the cells, so the amounts stay the same ----------------------------

  if (enhetsval) {
    enhetsval.addEventListener("change", function () {
      var fran = enhet(), till = enhetsval.value === "kr" ? "kr" : "tkr";
      if (fran === till) return;
      tabell.querySelectorAll("input[data-kol=utfall], input[data-kol=prognos]").forEach(function (inp) {
        var ore = tolka(inp.value, fran);
        var andrad = inp.value !== inp.defaultValue;
        if (isNaN(ore)) return;  // leave unreadable text as typed; the server will name it
        inp.defaultValue = exakt(tolka(inp.defaultValue, fran), till);
        inp.value = andrad ? exakt(ore, till) : inp.defaultValue;
      });
      enhetsfalt.value = till;
      form.dataset.enhet = till;
      document.querySelectorAll(".enhetstext").forEach(function (s) { s.textContent = till; });
      rakna();
    });
    var byt = form.querySelector("button.byt-enhet");
    if (byt) byt.hidden = true;  // only needed without JavaScript
  }

  // --- start ---------------------------------------------------------------------------------------

  document.querySelectorAll(".tangenthjalp").forEach(function (p) { p.hidden = false; });
  rakna();

  // --- "Till raden": focus in the row's first editable cell (inmatning.js focuses an error summary first) ---

  function tillRaden() {
    var m = /^#vo-(\d+)$/.exec(window.location.hash);
    var th = m && document.getElementById("vo-" + m[1]);
    if (!th || !tabell.contains(th)) return;
    var rad = th.closest("tr");
    var mal = rad.querySelector("input[data-kol]:not([disabled]):not([readonly]), " +
                                "textarea[data-kol]:not([disabled]):not([readonly])") || th;
    if (mal === th && !th.hasAttribute("tabindex")) th.setAttribute("tabindex", "-1");  // read-only: the row header
    mal.focus();
    if (mal.select) mal.select();
    if (mal.scrollIntoView) mal.scrollIntoView({ block: "center", inline: "nearest" });
  }
  window.addEventListener("hashchange", tillRaden);
  if (!document.querySelector("#felsummering, #varningssummering")) {
    tillRaden();
    // the browser's own scroll to the anchor may come after this script: make sure the cell keeps focus
    window.addEventListener("load", function () {
      var m = /^#vo-(\d+)$/.exec(window.location.hash);
      if (m && !tabell.querySelector("#rad-" + m[1] + " :focus")) tillRaden();
    });
  }
})();
