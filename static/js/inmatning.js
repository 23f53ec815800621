/* The entry pages' shared behaviour (the month grid, volymer, indikatorer, mål and uppdrag, texter): a form marked
 * data-inmatning gets
 *   - the save bar's state (templates/ekonomi/sparfalt.html): "Inga osparade ändringar", "3 osparade ändringar",
 *     "Sparar …", and after a refused save "Inget är sparat – se överst";
 *   - Ctrl+S / Cmd+S = save (the form's first button.spara, as if clicked);
 *   - a warning before leaving the page with unsaved changes (beforeunload), also after a refused save, where the
 *     page holds typed values that are not stored yet;
 *   - focus on the error (or warning) summary at the top when there is one; its links move focus to the field.
 * The pages work without this file (plain form POST). No inline scripts: a strict CSP forbids them.
 * A field with data-inte-andring (e.g. the grid's unit select) is not counted as a change.
 */
(function () {
  "use strict";

  /* An entry page whose template has no save bar yet (inside templates/nyckeltal/bas.html's data-inmatningssida):
     its plain Spara button becomes one, so every entry page has the same bar. A page without such a button
     (everything locked) gets nothing. */
  document.querySelectorAll("[data-inmatningssida] form[method=post]:not([data-inmatning])").forEach(function (form) {
    if (form.querySelector(".sparfalt")) return;
    var knapp = form.querySelector("button[type=submit]:not([name])");
    if (!knapp) return;
    var falt = document.createElement("div");
    falt.className = "sparfalt";
    knapp.parentNode.insertBefore(falt, knapp);
    falt.appendChild(knapp);
    knapp.classList.add("spara");
    [["sparstatus", "Inga osparade ändringar"], ["sparhjalp", "Ctrl+S (⌘S på Mac) sparar."]].forEach(function (d) {
      var s = document.createElement("span");
      s.className = d[0];
      s.textContent = d[1];
      if (d[0] === "sparstatus") s.setAttribute("aria-live", "polite");
      falt.appendChild(document.createTextNode(" "));
      falt.appendChild(s);
    });
    form.setAttribute("data-inmatning", "");
  });

  var formular = Array.prototype.slice.call(document.querySelectorAll("form[data-inmatning]"));
  var summering = document.querySelector("#felsummering, #varningssummering, .felsammanfattning");
  var skickas = false;

  function falt(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && !/^(hidden|submit|button|reset|image)$/.test(el.type) &&
        !el.disabled && !el.hasAttribute("data-inte-andring");
    });
  }

  function andrad(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o, i) {
        // a select without a selected attribute shows its first option by default
        var standard = o.defaultSelected || (i === 0 && !Array.prototype.some.call(el.options, function (x) { return x.defaultSelected; }) && !el.multiple);
        return o.selected !== standard;
      });
    }
    return el.value !== el.defaultValue;
  }

  function antalAndringar(form) {
    return falt(form).filter(andrad).length;
  }

  function statustext(n) {
    if (skickas) return "Sparar …";
    if (n === 1) return "1 osparad ändring";
    if (n > 1) return n + " osparade ändringar";
    return summering ? "Inget är sparat – se överst på sidan" : "Inga osparade ändringar";
  }

  function uppdatera(form) {
    var n = antalAndringar(form);
    form.classList.toggle("har-andringar", n > 0 || !!summering);
    form.querySelectorAll(".sparstatus").forEach(function (s) {
      var text = statustext(n);
      s.hidden = false;
      if (s.textContent !== text) s.textContent = text;
    });
    form.querySelectorAll(".sparhjalp").forEach(function (s) { s.hidden = false; });
  }

  function sparaknapp(form) {
    return form.querySelector("button.spara:not([disabled])");
  }

  formular.forEach(function (form) {
    form.addEventListener("input", function () { uppdatera(form); });
    form.addEventListener("change", function () { uppdatera(form); });
    form.addEventListener("submit", function () { skickas = true; uppdatera(form); });
    uppdatera(form);
  });

  document.addEventListener("keydown", function (e) {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || (e.key !== "s" && e.key !== "S") || !formular.length) return;
    e.preventDefault();  // not the browser's "save page"
    var aktiv = document.activeElement && document.activeElement.closest && document.activeElement.closest("form[data-inmatning]");
    var form = aktiv || formular[0], knapp = sparaknapp(form);
    if (!knapp || skickas) return;
    if (form.requestSubmit) form.requestSubmit(knapp);
    else knapp.click();
  });

  window.addEventListener("beforeunload", function (e) {
    if (skickas || !formular.length) return;
    if (summering || formular.some(function (f) { return antalAndringar(f) > 0; })) {
      e.preventDefault();
      e.returnValue = "";
    }
  });

  window.addEventListener("pageshow", function (e) {
    if (e.persisted) { skickas = false; formular.forEach(uppdatera); }  // back from the next page
  });

  if (summering) {
    if (!summering.hasAttribute("tabindex")) summering.setAttribute("tabindex", "-1");
    summering.focus();
    summering.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a[href^='#']");
      var mal = a && document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
      if (!mal) return;
      e.preventDefault();
      var falt = /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(mal.tagName) ? mal : mal.querySelector("input, textarea, select");
      (falt || mal).focus();
      if (mal.scrollIntoView) mal.scrollIntoView({ block: "center", inline: "nearest" });
    });
  }
})();
