"""The layout page's form: the draft of a layout read from ordinary form fields (``utkast_från_form``), the
actions of its buttons without JavaScript (``åtgärd``), Swedish messages matched to their section, and what the
template shows of each section (``Avsnitt``, the column picker, the choices). The views are
``rapporter/views_layout.py``; validation is ``layouter.validera``'s."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from . import egentabeller, layouter
from .sektioner import REGISTER
from .sektioner.bistand import KÄLLOR
from .sektioner.drift import DELAR, DIAGRAM, NEGATIVA_VAL
from .sektioner.manadsserie import PERIODER as SERIEPERIODER
from .sektioner.volymer import VISNINGAR as VOLYMVISNINGAR
from .tabell import ENHETER, INTÄKT, INVESTERING, KATEGORIER, KOSTNAD, MÅTT, NIVÅER, SLAG_TEXT

NIVÅ_TEXT = {"block": "Block", "verksamhet": "Verksamhet", "enhet": "Enhet"}
GRUPPERING = {
    "": "Verksamhetsträdet",
    "budgetkategori": "Budgetkategori (" + ", ".join(n for k, n in KATEGORIER if k).lower() + ")",
}
NYCKEL = re.compile(r"^[a-z0-9]{1,12}$")


# --- the draft: form fields ↔ sections ------------------------------------------------------------------------


def heltal(v) -> Any:
    try:
        return int(v)
    except (TypeError, ValueError):
        return v


def _drift_från_form(post, p: str) -> dict:
    koder = list(dict.fromkeys(post.getlist(f"{p}-kol")))
    return {
        "kolumner": [{"mått": k, "rubrik": post.get(f"{p}-kolrubrik-{k}", "").strip()} for k in koder],
        "rader": {
            "ned_till": post.get(f"{p}-ned_till", "verksamhet"),
            "rötter": [heltal(v) for v in post.getlist(f"{p}-rötter")],
            "hopslagna": [heltal(v) for v in post.getlist(f"{p}-hopslagna")],
            "dolda": [heltal(v) for v in post.getlist(f"{p}-dolda")],
            "delsummor": post.getlist(f"{p}-delsummor"),
            "gruppering": post.get(f"{p}-gruppering", ""),
            "delsumma_etikett": post.get(f"{p}-delsumma_etikett", "").strip(),
            "summa_etikett": post.get(f"{p}-summa_etikett", "").strip(),
            "dölj_tomma": bool(post.get(f"{p}-dölj_tomma")),
        },
        "enhet": post.get(f"{p}-enhet", ""),
        "decimaler": post.get(f"{p}-decimaler", "") or None,
        "negativa": post.getlist(f"{p}-negativa") if post.get(f"{p}-tecken") == "egna" else None,
        "delar": post.get(f"{p}-delar", "varje"),
        "sammanställning": bool(post.get(f"{p}-sammanställning")),
        "nämnder": [heltal(v) for v in post.getlist(f"{p}-nämnder")],
        "tabellrubrik": post.get(f"{p}-tabellrubrik", "").strip(),
        "diagram": post.get(f"{p}-diagram", ""),
        "kommentarer": bool(post.get(f"{p}-kommentarer")),
        "id": post.get(f"{p}-id", ""),
    }


def _investeringar_från_form(post, p: str) -> dict:
    return {
        "enhet": post.get(f"{p}-enhet", ""),
        "decimaler": post.get(f"{p}-decimaler", "") or None,
        "negativa": post.getlist(f"{p}-negativa") if post.get(f"{p}-tecken") == "egna" else None,
    }


def _manadsserie_från_form(post, p: str) -> dict:
    return {
        "nyckeltal": [heltal(v) for v in post.getlist(f"{p}-nyckeltal")],
        "period": post.get(f"{p}-period", ""),
        "snittkostnad": bool(post.get(f"{p}-snittkostnad")),
        "diagram": bool(post.get(f"{p}-diagram")),
    }


def _kostnadsslag_från_form(post, p: str) -> dict:
    return {**_investeringar_från_form(post, p), "rötter": [heltal(v) for v in post.getlist(f"{p}-rötter")]}


def _ackumulerat_från_form(post, p: str) -> dict:
    return {
        **_investeringar_från_form(post, p),
        "områden": [heltal(v) for v in post.getlist(f"{p}-områden")],
        "diagram": bool(post.get(f"{p}-diagram")),
        "id": post.get(f"{p}-id", ""),
    }


def _bistand_från_form(post, p: str) -> dict:
    return {
        **_ackumulerat_från_form(post, p),
        "källa": post.get(f"{p}-källa", "kostnadsslag"),
        "kostnadsslag": [heltal(v) for v in post.getlist(f"{p}-kostnadsslag")],
        "område": heltal(post.get(f"{p}-område", "")) or None,
        "hushåll": heltal(post.get(f"{p}-hushåll", "")) or None,
        "nyckeltal": [heltal(v) for v in post.getlist(f"{p}-nyckeltal")],
    }


def _sammanfattning_från_form(post, p: str) -> dict:
    return {"nyckeltal": [heltal(v) for v in post.getlist(f"{p}-nyckeltal")], "antal": post.get(f"{p}-antal", "")}


def _egentabell_från_form(post, p: str) -> dict:
    return {"tabell": heltal(post.get(f"{p}-tabell", "")) or None}


def utkast_från_form(post) -> list[dict]:
    """The draft in the order of the form's sections: [{"nyckel", "typ", "rubrik", "parametrar"}]."""
    utkast = []
    for nyckel in post.getlist("sektion"):
        if not NYCKEL.match(nyckel):
            continue
        typ = post.get(f"{nyckel}-typ", "")
        if typ == "drift":
            parametrar = _drift_från_form(post, nyckel)
        elif typ == "investeringar":
            parametrar = _investeringar_från_form(post, nyckel)
        elif typ == "ackumulerat":
            parametrar = _ackumulerat_från_form(post, nyckel)
        elif typ == "bistand":
            parametrar = _bistand_från_form(post, nyckel)
        elif typ == "kostnadsslag":
            parametrar = _kostnadsslag_från_form(post, nyckel)
        elif typ == "manadsserie":
            parametrar = _manadsserie_från_form(post, nyckel)
        elif typ == "egentabell":
            parametrar = _egentabell_från_form(post, nyckel)
        elif typ == "sammanfattning":
            parametrar = _sammanfattning_från_form(post, nyckel)
        elif typ == "volymer":
            parametrar = {"visning": post.get(f"{nyckel}-visning", "")}
        else:
            parametrar = {}
        utkast.append(
            {"nyckel": nyckel, "typ": typ, "rubrik": post.get(f"{nyckel}-rubrik", "").strip(), "parametrar": parametrar}
        )
    return utkast


def _fullständig(s: dict) -> dict:
    """A stored or preset section with every parameter spelled out (what the form shows)."""
    kind = REGISTER.get(s.get("typ", ""))
    if kind is None:
        return dict(s)
    try:
        parametrar = kind.läs(s.get("parametrar"), layouter.Sammanhang(fri=True)).som_dict()
    except ValidationError:
        parametrar = dict(s.get("parametrar") or {})
    return {**s, "parametrar": parametrar}


def med_nycklar(sektioner: list[dict]) -> list[dict]:
    return [{**_fullständig(s), "nyckel": f"s{i}"} for i, s in enumerate(sektioner)]


def utan_nycklar(utkast: list[dict]) -> list[dict]:
    return [{"typ": s["typ"], "rubrik": s["rubrik"], "parametrar": s["parametrar"]} for s in utkast]


def ny_sektion(typ: str, utkast: list[dict], nyckel: str) -> dict:
    kind = REGISTER[typ]
    rubriker = {s["rubrik"].lower() for s in utkast}
    rubrik, n = kind.namn.removeprefix("Tabell: ").capitalize(), 2
    bas = rubrik
    while rubrik.lower() in rubriker:
        rubrik, n = f"{bas} {n}", n + 1
    return {**_fullständig({"typ": typ, "rubrik": rubrik, "parametrar": {}}), "nyckel": nyckel}


def fel_per_avsnitt(e: ValidationError, utkast: list[dict]) -> tuple[dict[int, list[str]], list[str]]:
    """ "Avsnitt 3 (Rubrik): …" (``layouter.validera``'s messages) → {2: ["…"]}; other messages apart."""
    prefix = {}
    for i, s in enumerate(utkast):
        rubrik = str(s.get("rubrik", "")).strip()[:200]
        prefix[f"Avsnitt {i + 1}" + (f" ({rubrik})" if rubrik else "") + ": "] = i
    per: dict[int, list[str]] = {}
    övriga = []
    for m in e.messages:
        träff = next((p for p in prefix if m.startswith(p)), None)
        if träff is None:
            övriga.append(m)
        else:
            per.setdefault(prefix[träff], []).append(m.removeprefix(träff))
    return per, övriga


# --- what the template shows -----------------------------------------------------------------------------------


@dataclass
class Kolumnval:
    kod: str
    namn: str
    grupp: str
    rubrik: str
    vald: bool


@dataclass
class Avsnitt:
    """One section of the editor: the draft's values and the choices the form offers."""

    nyckel: str
    nummer: int
    typ: str
    typnamn: str
    rubrik: str
    p: dict
    fel: list[str] = field(default_factory=list)
    ny: bool = False  # just added: its settings are shown open
    valda: list[Kolumnval] = field(default_factory=list)
    ovalda: list[tuple[str, list[Kolumnval]]] = field(default_factory=list)

    @property
    def är_tabell(self) -> bool:
        return self.typ == "drift"

    @property
    def har_visning(self) -> bool:
        return self.typ in ("drift", "investeringar", "kostnadsslag", "ackumulerat", "bistand")

    @property
    def rader(self) -> dict:
        return self.p.get("rader") or {}

    @property
    def egna_tecken(self) -> bool:
        return self.p.get("negativa") is not None

    @property
    def negativa(self) -> list[str]:
        return [str(v) for v in self.p.get("negativa") or ()]

    @property
    def decimaler(self) -> str:
        d = self.p.get("decimaler")
        return "" if d is None else str(d)

    def _ids(self, fält: str) -> set[str]:
        if self.typ == "kostnadsslag":  # its subtrees are a parameter of its own, not a row choice
            return {str(v) for v in self.p.get(fält) or ()}
        return {str(v) for v in self.rader.get(fält) or ()}

    @property
    def rötter(self) -> set[str]:
        return self._ids("rötter")

    @property
    def hopslagna(self) -> set[str]:
        return self._ids("hopslagna")

    @property
    def dolda(self) -> set[str]:
        return self._ids("dolda")

    def _valda_ids(self, fält: str) -> set[str]:
        """Ids chosen in a list parameter of the section (ackumulerat's områden, bistånd's kostnadsslag …)."""
        v = self.p.get(fält)
        return {str(x) for x in (v if isinstance(v, list | tuple) else [v] if v not in (None, "") else [])}

    @property
    def valda_områden(self) -> set[str]:
        return self._valda_ids("områden") | self._valda_ids("område")

    @property
    def valda_kostnadsslag(self) -> set[str]:
        return self._valda_ids("kostnadsslag")

    @property
    def valda_nyckeltal(self) -> set[str]:
        """The nyckeltal chosen (månadsserie's series, bistånd's beslutsorsaker)."""
        return self._valda_ids("nyckeltal")

    @property
    def valt_hushåll(self) -> str:
        h = self.p.get("hushåll")
        return "" if h in (None, "") else str(h)

    @property
    def nämnder(self) -> set[str]:
        return self._valda_ids("nämnder")


def avsnitt(utkast: list[dict], fel: dict[int, list[str]] | None = None) -> list[Avsnitt]:
    ut = []
    for i, s in enumerate(utkast):
        kind = REGISTER.get(s["typ"])
        a = Avsnitt(s["nyckel"], i + 1, s["typ"], kind.namn if kind else s["typ"], s["rubrik"], s["parametrar"] or {})
        a.fel = (fel or {}).get(i, [])
        if a.är_tabell:
            valda = {}
            for k in a.p.get("kolumner") or ():
                kod = k.get("mått") if isinstance(k, dict) else None
                if kod in MÅTT and kod not in valda:
                    valda[kod] = Kolumnval(kod, MÅTT[kod].namn, MÅTT[kod].grupp, k.get("rubrik", "") or "", True)
            a.valda = list(valda.values())
            grupper: dict[str, list[Kolumnval]] = {}
            for kod, m in MÅTT.items():
                if kod not in valda:
                    grupper.setdefault(m.grupp, []).append(Kolumnval(kod, m.namn, m.grupp, "", False))
            a.ovalda = list(grupper.items())
        ut.append(a)
    return ut


def valmöjligheter(kommun, träd) -> dict:
    return {
        "träd": träd,
        "kommunens_nämnder": [n for n, _ in träd],
        "nivåer": [(n, NIVÅ_TEXT[n]) for n in NIVÅER],
        "gruppering": list(GRUPPERING.items()),
        "enheter": [("", f"Kommunens ({kommun.beloppsenhet})")] + [(e, e) for e in ENHETER],
        "decimaler": [("", "Enhetens"), ("0", "0"), ("1", "1"), ("2", "2")],
        "negativa_val": [(n, SLAG_TEXT[n]) for n in NEGATIVA_VAL],
        "investering_val": [(INVESTERING, SLAG_TEXT[INVESTERING])],
        "kostnadsslag_val": [(INTÄKT, SLAG_TEXT[INTÄKT]), (KOSTNAD, "Kostnader")],
        "delar_val": list(DELAR.items()),
        "diagram_val": list(DIAGRAM.items()),
        "tecken_kommun": "negativa" if kommun.kostnader_negativa else "positiva",
        "egentabeller": egentabeller.tabellnamn(kommun.id),
        "egentabeller_url": reverse("egentabeller", args=[kommun.id]),
        "kommunens_kostnadsslag": list(layouter.kostnadsslagsnamn(kommun).items()),
        "kommunens_nyckeltal": list(layouter.nyckeltalsnamn(kommun).items()),
        "bistand_källor": list(KÄLLOR.items()),
        "kostnad_val": [(KOSTNAD, "Kostnader (utfall, budget, prognos, utbetalt)")],
        "nyckeltalsgrupper": layouter.nyckeltalsgrupper(kommun),
        "serieperioder": list(SERIEPERIODER.items()),
        "volymvisningar": list(VOLYMVISNINGAR.items()),
    }


def _flytta(lista: list, i: int, steg: int) -> None:
    j = i + steg
    if 0 <= i < len(lista) and 0 <= j < len(lista):
        lista[i], lista[j] = lista[j], lista[i]


def tillämpa_åtgärd(utkast: list[dict], åtgärd: str, post) -> list[dict]:
    """Apply a button's action to the draft (the page without JavaScript)."""
    namn, _, rest = åtgärd.partition(":")
    index = {s["nyckel"]: i for i, s in enumerate(utkast)}
    if namn in ("upp", "ned", "bort") and rest in index:
        i = index[rest]
        if namn == "bort":
            del utkast[i]
        else:
            _flytta(utkast, i, -1 if namn == "upp" else 1)
    elif namn in ("kol-upp", "kol-ned"):
        nyckel, _, kod = rest.partition(":")
        if nyckel in index and utkast[index[nyckel]]["typ"] == "drift":
            kolumner = utkast[index[nyckel]]["parametrar"]["kolumner"]
            koder = [k["mått"] for k in kolumner]
            if kod in koder:
                _flytta(kolumner, koder.index(kod), -1 if namn == "kol-upp" else 1)
    elif namn == "lägg_till" and post.get("ny_typ") in REGISTER:
        utkast.append(ny_sektion(post["ny_typ"], utkast, f"n{len(utkast)}"))
    return utkast
