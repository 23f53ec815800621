/* The layout page: sections and columns moved in place (buttons, keyboard, drag and drop), a new section's fields
 * fetched from the server, and a live preview of the draft. The page works without this file: every button posts
 * the whole form and the server applies it. Here the same form is posted to the preview endpoint (debounced)
 * after each change; nothing is saved until "Spara". No inline code (CSP): URLs come from data- attributes.
 */
(function () {
  "use strict";

  var form = document.getElementById("layoutform");
  if (!form) return;
  var lista = document.getElementById("avsnittslista");
  var ruta = document.getElementById("forhandsvisning");
  var status = document.getElementById("flyttstatus");
  var timer = null, löpnummer = 0, nya = 0;

  // --- preview ----------------------------------------------------------------------------------------

  function förhandsvisa() {
    var nr = ++löpnummer;
    ruta.setAttribute("aria-busy", "true");
    fetch(form.dataset.forhandsvisning, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (svar) {
      return svar.text();
    }).then(function (html) {
      if (nr !== löpnummer) return;  // a newer draft is on its way
      ruta.innerHTML = html;
      ruta.setAttribute("aria-busy", "false");
    }).catch(function () {
      if (nr !== löpnummer) return;
      ruta.setAttribute("aria-busy", "false");
      ruta.innerHTML = '<p class="fel" role="alert">Förhandsvisningen kunde inte hämtas. Försök igen.</p>';
    });
  }

  function senare() {
    window.clearTimeout(timer);
    timer = window.setTimeout(förhandsvisa, 400);
  }

  form.addEventListener("input", function (e) {
    if (e.target.type === "text") senare();
  });
  form.addEventListener("change", function (e) {
    if (e.target.name && /-kol$/.test(e.target.name)) flyttaKolumn(e.target);
    senare();
  });

  // --- sections -------------------------------------------------------------------------------------------

  function avsnitt() {
    return Array.prototype.slice.call(lista.querySelectorAll(":scope > li.avsnitt"));
  }

  function numrera() {
    avsnitt().forEach(function (li, i) {
      var n = li.querySelector(".avsnitt-nummer");
      if (n) n.textContent = String(i + 1);
    });
  }

  function meddela(text) {
    if (status) status.textContent = text;
  }

  function rubrik(li) {
    var f = li.querySelector("input[name$='-rubrik']");
    return f ? f.value : "";
  }

  function flytta(knapp) {
    var li = knapp.closest("li.avsnitt");
    var hur = knapp.dataset.flytta;
    if (hur === "bort") {
      var nästa = li.nextElementSibling || li.previousElementSibling;
      meddela("Avsnittet " + rubrik(li) + " är borttaget.");
      li.remove();
      numrera();
      var fokus = nästa ? nästa.querySelector("input[name$='-rubrik']") : form.querySelector("button.lagg-till");
      if (fokus) fokus.focus();
    } else if (hur === "upp" && li.previousElementSibling) {
      lista.insertBefore(li, li.previousElementSibling);
    } else if (hur === "ned" && li.nextElementSibling) {
      lista.insertBefore(li.nextElementSibling, li);
    } else {
      return;
    }
    if (hur !== "bort") {
      numrera();
      knapp.focus();  // moving a node can drop focus; keep it on the button pressed
      meddela("Avsnittet " + rubrik(li) + " är nu nummer " + (avsnitt().indexOf(li) + 1) + ".");
    }
    senare();
  }

  form.addEventListener("click", function (e) {
    var knapp = e.target.closest("button");
    if (!knapp || !form.contains(knapp)) return;
    if (knapp.dataset.flytta) {
      e.preventDefault();
      flytta(knapp);
    } else if (knapp.dataset.kol) {
      e.preventDefault();
      flyttaKolumnSteg(knapp);
    } else if (knapp.classList.contains("lagg-till")) {
      e.preventDefault();
      läggTill();
    } else if (knapp.classList.contains("uppdatera")) {
      e.preventDefault();
      förhandsvisa();
    }
  });

  function läggTill() {
    var val = form.querySelector("input[name=ny_typ]:checked");
    if (!val) return;
    var nyckel = "j" + (++nya) + Date.now().toString(36).slice(-4);
    var q = new URLSearchParams({ typ: val.value, nyckel: nyckel, nummer: String(avsnitt().length + 1) });
    avsnitt().forEach(function (li) { q.append("rubrik", rubrik(li)); });
    fetch(form.dataset.nyttAvsnitt + "?" + q.toString(), { credentials: "same-origin" })
      .then(function (svar) {
        if (!svar.ok) throw new Error(String(svar.status));
        return svar.text();
      })
      .then(function (html) {
        var mall = document.createElement("template");
        mall.innerHTML = html.trim();
        var li = mall.content.firstElementChild;
        lista.appendChild(li);
        numrera();
        var f = li.querySelector("input[name$='-rubrik']");
        if (f) f.focus();
        meddela("Avsnittet " + rubrik(li) + " är tillagt sist.");
        senare();
      })
      .catch(function () { meddela("Avsnittet kunde inte läggas till."); });
  }

  // --- columns --------------------------------------------------------------------------------------------

  function flyttaKolumn(ruta_) {
    var li = ruta_.closest("li.kolumn");
    var sektion = ruta_.closest("li.avsnitt");
    if (!li || !sektion) return;
    var valda = sektion.querySelector(".valda-kolumner");
    if (ruta_.checked) {
      valda.appendChild(li);
    } else {
      // back to its group, in vocabulary order is not needed: the server orders unticked columns itself
      var grupp = sektion.querySelector(".kolumngrupp[data-grupp='" + li.dataset.grupp + "'] .ovalda-kolumner");
      (grupp || sektion.querySelector(".ovalda-kolumner")).appendChild(li);
    }
    ruta_.focus();
  }

  function flyttaKolumnSteg(knapp) {
    var li = knapp.closest("li.kolumn");
    if (!li || !li.parentElement.classList.contains("valda-kolumner")) return;
    if (knapp.dataset.kol === "upp" && li.previousElementSibling) {
      li.parentElement.insertBefore(li, li.previousElementSibling);
    } else if (knapp.dataset.kol === "ned" && li.nextElementSibling) {
      li.parentElement.insertBefore(li.nextElementSibling, li);
    } else {
      return;
    }
    knapp.focus();
    senare();
  }

  // --- drag and drop (the handle starts a drag; the buttons do the same with the keyboard) -----------------

  var dras = null;
  lista.addEventListener("mousedown", function (e) {
    var h = e.target.closest(".dragghandtag");
    if (h) h.closest("li.avsnitt").setAttribute("draggable", "true");
  });
  lista.addEventListener("dragstart", function (e) {
    var li = e.target.closest && e.target.closest("li.avsnitt");
    if (!li || li.getAttribute("draggable") !== "true") return;
    dras = li;
    li.classList.add("dras");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", li.dataset.nyckel);
  });
  lista.addEventListener("dragover", function (e) {
    if (!dras) return;
    e.preventDefault();
    var mål = e.target.closest("li.avsnitt");
    if (!mål || mål === dras || mål.parentElement !== lista) return;
    var r = mål.getBoundingClientRect();
    lista.insertBefore(dras, e.clientY < r.top + r.height / 2 ? mål : mål.nextElementSibling);
  });
  lista.addEventListener("drop", function (e) {
    if (dras) e.preventDefault();
  });
  lista.addEventListener("dragend", function () {
    if (!dras) return;
    dras.classList.remove("dras");
    dras.removeAttribute("draggable");
    meddela("Avsnittet " + rubrik(dras) + " är nu nummer " + (avsnitt().indexOf(dras) + 1) + ".");
    dras = null;
    numrera();
    senare();
  });
  document.addEventListener("mouseup", function () {
    if (!dras) avsnitt().forEach(function (li) { li.removeAttribute("draggable"); });
  });
})();
