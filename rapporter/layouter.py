"""Writes and files for report layouts: validate a layout against the section registry and the kommun's own
organisation, save it (kommun admins only, atomically), apply a preset, and export/import a layout as a versioned
file so kommuner can share them.

The file names verksamhetsområden, nämnder and nyckeltal by name (a path "Nämnd: Block / Verksamhet" for områden,
"Nämnd: Grupp / Nyckeltal" for the nyckeltal of a parameter ``nyckeltal``), never by id: ids are this
installation's. Importing maps the names to the kommun's own; names it does not have are reported and
nothing is applied (the layout page shows the file as a preview first).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404

from ekonomi.models import Kostnadsslag
from nyckeltal.models import Nyckeltal
from nämnd import dataversion
from nämnd.behorighet import är_admin
from nämnd.models import Kommun, Nämnd, Rapporttyp, Verksamhetsområde

from . import forval
from .models import Egentabell, Layoutsektion, Rapportlayout
from .sektioner import REGISTER, Sammanhang
from .sektioner import typ as sektionstyp
from .selectors import layouter_per_typ

FORMAT = "socialrapport-layout"
VERSION = 1
MAX_SEKTIONER = 40
MAX_FILSTORLEK = 256 * 1024
# Parameters that hold ids of the kommun's own things (one id or a list), and what they refer to: a layout file names
# them instead (ids are this installation's). Top-level parameters of any kind, and the drift table's row choices.
REFERENSER = {
    "nämnder": "nämnd",
    "nyckeltal": "nyckeltal",
    "hushåll": "nyckeltal",
    "kostnadsslag": "kostnadsslag",
    "områden": "område",
    "område": "område",
    "rötter": "område",
    "tabell": "egentabell",
}
RADREFERENSER = {"rötter": "område", "hopslagna": "område", "dolda": "område"}


@dataclass(frozen=True)
class Organisation:
    """A kommun's områden and nämnder: ids ↔ names, for validation and for layout files."""

    sammanhang: Sammanhang

    @property
    def sökväg(self) -> dict[int, str]:
        """Område id → "Nämnd: Block / Verksamhet / Enhet" (the name a layout file uses)."""
        return self.sammanhang.områden

    @classmethod
    def för(cls, kommun: Kommun) -> Organisation:
        områden = list(
            Verksamhetsområde.objects.filter(nämnd__kommun=kommun).values("id", "namn", "förälder_id", "nämnd__namn")
        )
        per_id = {o["id"]: o for o in områden}

        def sökväg(o: dict) -> str:
            delar = [o["namn"]]
            while o["förälder_id"] in per_id:
                o = per_id[o["förälder_id"]]
                delar.insert(0, o["namn"])
            return f"{o['nämnd__namn']}: " + " / ".join(delar)

        nämnder = dict(Nämnd.objects.filter(kommun=kommun).values_list("id", "namn"))
        return cls(
            Sammanhang(
                {o["id"]: sökväg(o) for o in områden},
                nämnder,
                nyckeltal=nyckeltalsnamn(kommun),
                kostnadsslag=kostnadsslagsnamn(kommun),
                egentabeller=dict(Egentabell.objects.filter(kommun=kommun).values_list("id", "namn")),
            )
        )


def kostnadsslagsnamn(kommun: Kommun) -> dict[int, str]:
    """The kommun's kostnadsslag id → name, in their order. One query."""
    return dict(Kostnadsslag.objects.filter(kommun=kommun).order_by("typ", "ordning", "namn").values_list("id", "namn"))


def nyckeltalsnamn(kommun: Kommun) -> dict[int, str]:
    """The kommun's nyckeltal (varav rows too) id → "Nämnd: Grupp / Nyckeltal" ("… / Förälder / Varav"), the name a
    layout file uses. One query."""
    rader = list(
        Nyckeltal.objects.filter(grupp__nämnd__kommun=kommun)
        .order_by("grupp__nämnd_id", "grupp__ordning", "grupp__namn", "ordning", "id")
        .values_list("id", "namn", "förälder_id", "grupp__namn", "grupp__nämnd__namn")
    )
    per_id = {r[0]: r for r in rader}

    def namn(r) -> str:
        förälder = per_id.get(r[2])
        mitten = f"{förälder[1]} / " if förälder is not None and förälder[0] != r[0] else ""
        return f"{r[4]}: {r[3]} / {mitten}{r[1]}"

    return {r[0]: namn(r) for r in rader}


def nyckeltalsgrupper(kommun: Kommun) -> list[tuple[str, list[tuple[int, str, bool]]]]:
    """The kommun's nyckeltal per group for the layout page's pickers: [("Nämnd: Grupp", [(id, namn, är_varav)])],
    each varav row right after its parent. One query."""
    rader = list(
        Nyckeltal.objects.filter(grupp__nämnd__kommun=kommun)
        .order_by("grupp__nämnd__giltig_från", "grupp__nämnd__namn", "grupp__ordning", "grupp__namn", "ordning", "id")
        .values_list("id", "namn", "förälder_id", "grupp_id", "grupp__namn", "grupp__nämnd__namn")
    )
    grupper: dict[int, tuple[str, list]] = {}
    barn: dict[int, list] = {}
    ids = {r[0] for r in rader}
    for r in rader:
        if r[2] in ids and r[2] != r[0]:
            barn.setdefault(r[2], []).append(r)
    for r in rader:
        if r[2] in ids and r[2] != r[0]:
            continue
        rubrik, lista = grupper.setdefault(r[3], (f"{r[5]}: {r[4]}", []))
        lista.append((r[0], r[1], False))
        lista += [(b[0], b[1], True) for b in barn.get(r[0], [])]
    return list(grupper.values())


def validera(sektioner: Sequence[dict], org: Organisation) -> list[dict]:
    """Sections ({"typ", "rubrik", "parametrar"}) checked and normalised; ValidationError listing every problem as
    "Avsnitt 3 (Driftredovisning): …"."""
    fel, result, rubriker = [], [], set()
    if not sektioner:
        raise ValidationError("En rapport behöver minst ett avsnitt.")
    if len(sektioner) > MAX_SEKTIONER:
        raise ValidationError(f"En rapport kan ha högst {MAX_SEKTIONER} avsnitt.")
    for nr, s in enumerate(sektioner, start=1):
        rubrik = str(s.get("rubrik", "")).strip()[:200]
        namn = f"Avsnitt {nr}" + (f" ({rubrik})" if rubrik else "")
        if not rubrik:
            fel.append(f"{namn}: ange en rubrik.")
        elif rubrik.lower() in rubriker:
            fel.append(f"{namn}: rubriken finns redan i rapporten — två avsnitt kan inte ha samma rubrik.")
        rubriker.add(rubrik.lower())
        try:
            kind = sektionstyp(str(s.get("typ", "")))
            parametrar = kind.läs(s.get("parametrar"), org.sammanhang).som_dict()
        except ValidationError as e:
            fel += [f"{namn}: {m}" for m in e.messages]
            continue
        result.append({"typ": kind.kod, "rubrik": rubrik, "parametrar": parametrar})
    if fel:
        raise ValidationError(fel)
    return result


@transaction.atomic
def spara(user, kommun: Kommun, rapporttyp: str, sektioner: Sequence[dict], från_år: int = 0) -> Rapportlayout:
    """Replace the kommun's layout of a report type (from ``från_år``; 0 = every year). Kommun admins only.
    Fastställda reports keep the layout they were fastställda with (``Rapportlås.layout``)."""
    if not är_admin(user, kommun):
        raise PermissionDenied("Bara kommunens administratörer kan ändra rapportlayouter.")
    if rapporttyp not in Rapporttyp.values:
        raise ValidationError(f"Okänd rapport: {rapporttyp}.")
    giltiga = validera(sektioner, Organisation.för(kommun))
    layout, _ = Rapportlayout.objects.select_for_update().get_or_create(
        kommun=kommun, rapporttyp=rapporttyp, från_år=från_år
    )
    layout.sektioner.all().delete()
    Layoutsektion.objects.bulk_create(
        Layoutsektion(layout=layout, ordning=i, typ=s["typ"], rubrik=s["rubrik"], parametrar=s["parametrar"])
        for i, s in enumerate(giltiga)
    )
    layout.save()  # ändrad, history
    dataversion.bumpa([kommun.id])
    return layout


@transaction.atomic
def tillämpa_förval(user, kommun: Kommun, namn: str, rapporttyper: Sequence[str] | None = None) -> None:
    if namn not in forval.FÖRVAL:
        raise ValidationError(f"Okänt förval: {namn}.")
    for typ in rapporttyper or Rapporttyp.values:
        spara(user, kommun, typ, forval.sektioner(namn, typ))
        Rapportlayout.objects.filter(kommun=kommun, rapporttyp=typ, från_år=0).update(förval=namn)


def kopiera_till_år(kommun: Kommun, år: int) -> int:
    """ "Öppna nytt år": each report type's layout in force for ``år`` − 1 becomes the layout of ``år`` (unless one
    exists), so a change for the new year leaves earlier years' reports alone. Returns how many were copied."""

    kopierade = 0
    befintliga = set(Rapportlayout.objects.filter(kommun=kommun, från_år=år).values_list("rapporttyp", flat=True))
    for typ, sektioner in layouter_per_typ(kommun.id, år - 1).items():
        if typ in befintliga:
            continue
        layout = Rapportlayout.objects.create(kommun=kommun, rapporttyp=typ, från_år=år)
        Layoutsektion.objects.bulk_create(
            Layoutsektion(layout=layout, ordning=i, typ=s["typ"], rubrik=s["rubrik"], parametrar=s["parametrar"])
            for i, s in enumerate(sektioner)
        )
        kopierade += 1
    return kopierade


# --- files -------------------------------------------------------------------------------------------------


def _byt_id(sektioner: Sequence[dict], karta) -> tuple[list[dict], list[str]]:
    """Replace references to the kommun's own things (ids ↔ names, ``REFERENSER``) with ``karta(slag, value,
    saknas)``; the values it cannot map are appended to ``saknas``."""
    saknas: list[str] = []

    def byt(p: dict, fält: dict[str, str]) -> None:
        for namn, slag in fält.items():
            v = p.get(namn)
            if isinstance(v, list):
                p[namn] = [x for x in (karta(slag, y, saknas) for y in v) if x is not None]
            elif v not in (None, "", 0):
                p[namn] = karta(slag, v, saknas)

    result = []
    for s in sektioner:
        p = json.loads(json.dumps(s.get("parametrar") or {}))
        byt(p, REFERENSER)
        if isinstance(p.get("rader"), dict):
            byt(p["rader"], RADREFERENSER)
        result.append({"typ": s.get("typ"), "rubrik": s.get("rubrik"), "parametrar": p})
    return result, saknas


ORD = {
    "område": "verksamhetsområdet",
    "nämnd": "nämnden",
    "nyckeltal": "nyckeltalet",
    "kostnadsslag": "kostnadsslaget",
    "egentabell": "tabellen",
}


def _idkartor(org: Organisation) -> dict[str, dict[str, int]]:
    """Name → id per kind of reference (two of the same name, e.g. nyckeltal in a group: the first)."""
    kartor: dict[str, dict[str, int]] = {}
    for slag, namn in _namnkartor(org).items():
        kartor[slag] = {}
        for k, v in namn.items():
            kartor[slag].setdefault(v, k)
    return kartor


def _namnkartor(org: Organisation) -> dict[str, dict[int, str]]:
    s = org.sammanhang
    return {
        "område": org.sökväg,
        "nämnd": s.nämnder,
        "nyckeltal": s.nyckeltal,
        "kostnadsslag": s.kostnadsslag,
        "egentabell": s.egentabeller,
    }


def exportera(kommun: Kommun, layouter: dict[str, list[dict]]) -> bytes:
    """A layout file: {"format", "version", "rapporter": {rapporttyp: [sections]}} with names instead of ids."""
    org = Organisation.för(kommun)

    kartor = _namnkartor(org)

    def namn(slag, värde, saknas):
        try:
            return kartor[slag].get(int(värde))
        except (TypeError, ValueError):
            return None

    rapporter = {typ: _byt_id(sektioner, namn)[0] for typ, sektioner in layouter.items()}
    return json.dumps(
        {"format": FORMAT, "version": VERSION, "rapporter": rapporter}, ensure_ascii=False, indent=2
    ).encode()


def läs_fil(kommun: Kommun, data: bytes) -> dict[str, list[dict]]:
    """A layout file → validated sections per report type with the kommun's own ids; ValidationError (Swedish)
    for a file that is not a layout file, of a newer version, or names områden or nämnder the kommun lacks."""
    if len(data) > MAX_FILSTORLEK:
        raise ValidationError("Filen är för stor för att vara en layoutfil (högst 256 kB).")
    try:
        innehåll = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError("Filen är inte en layoutfil (JSON från Socialrapport).") from None
    if not isinstance(innehåll, dict) or innehåll.get("format") != FORMAT:
        raise ValidationError("Filen är inte en layoutfil från Socialrapport.")
    if not isinstance(innehåll.get("version"), int) or innehåll["version"] > VERSION:
        raise ValidationError(
            f"Layoutfilen har version {innehåll.get('version')}; den här versionen läser version {VERSION}."
        )
    rapporter = innehåll.get("rapporter")
    if not isinstance(rapporter, dict) or not rapporter:
        raise ValidationError("Layoutfilen innehåller ingen rapport.")
    org = Organisation.för(kommun)
    kartor = _idkartor(org)

    def id_(slag, värde, saknas):
        karta = kartor[slag]
        if isinstance(värde, str) and värde in karta:
            return karta[värde]
        saknas.append(f"{ORD[slag]} ”{värde}”")
        return None

    result, fel = {}, []
    for typ, sektioner in rapporter.items():
        if typ not in Rapporttyp.values or not isinstance(sektioner, list):
            fel.append(f"Okänd rapport i filen: {typ}.")
            continue
        if any(not isinstance(s, dict) for s in sektioner):
            fel.append(f"{Rapporttyp(typ).label}: ett avsnitt i filen är inte läsbart.")
            continue
        sektioner, saknas = _byt_id(sektioner, id_)
        if saknas:
            fel.append(f"{Rapporttyp(typ).label}: kommunen saknar {', '.join(sorted(set(saknas)))}.")
            continue
        try:
            result[typ] = validera(sektioner, org)
        except ValidationError as e:
            fel += [f"{Rapporttyp(typ).label}: {m}" for m in e.messages]
    if fel:
        raise ValidationError(fel)
    return result


def registrerade() -> list[tuple[str, str, str]]:
    """(kod, namn, beskrivning) of every section kind, for the layout page."""
    return [(t.kod, t.namn, t.beskrivning) for t in REGISTER.values()]


@transaction.atomic
def spara_alla(user, kommun: Kommun, layouter: dict[str, Sequence[dict]], från_år: int = 0) -> None:
    """Several report types' layouts at once (an imported file): all or nothing."""
    for typ, sektioner in layouter.items():
        spara(user, kommun, typ, sektioner, från_år)


# --- reads for the layout page (kept here so the page's view module stays free of the ORM) ----------------


def kommun_för(user, kommun_id: int) -> Kommun:
    """The kommun if the user may read it, else 404 (another kommun's id looks like a missing one)."""
    return get_object_or_404(Kommun.objects.for_user(user), pk=kommun_id)


@dataclass(frozen=True)
class Trädnod:
    id: int
    namn: str
    typ: str  # block / verksamhet / enhet
    djup: int


def områdesträd(kommun: Kommun) -> list[tuple[Nämnd, list[Trädnod]]]:
    """Each nämnd of the kommun with its verksamhetsområden depth first (the layout page's row picker). Two
    queries."""
    nämnder = list(Nämnd.objects.filter(kommun=kommun).order_by("giltig_från", "namn"))
    barn: dict[tuple[int, int | None], list] = {}
    for o in Verksamhetsområde.objects.filter(nämnd__kommun=kommun).order_by("ordning", "namn"):
        barn.setdefault((o.nämnd_id, o.förälder_id), []).append(o)

    def besök(nämnd_id: int, förälder: int | None, djup: int) -> list[Trädnod]:
        ut = []
        for o in barn.get((nämnd_id, förälder), []):
            ut.append(Trädnod(o.id, o.namn, o.typ, djup))
            ut += besök(nämnd_id, o.id, djup + 1)
        return ut

    return [(n, besök(n.id, None, 0)) for n in nämnder]


def admin_kommuner(user) -> list[Kommun]:
    """The kommuner whose layouts the user may change (admin role; every kommun for a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = Kommun.objects.order_by("namn")
    if not user.is_superuser:
        qs = qs.filter(behörigheter__user=user, behörigheter__roll="admin")
    return list(qs)
