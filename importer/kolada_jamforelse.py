"""Kolada comparison: peer groups (``/v3/municipality_groups``) and the values of the group, its members and riket
(``/v3/data/kpi/{kpi}/municipality/{ids}/year/{years}``) fetched or read from files in the v3 shape, then written
through ``nyckeltal.kolada_services`` (one transaction, provenance and revisions there).

Everything is fetched before anything is written; ≤ 25 ids per path segment; ``next_url`` is followed to the end
(only on Kolada's own host); each value keeps the URL of the page it came from. ``from_date`` asks only for values
changed since a date (a revision check). Tests never touch the network: they pass ``hämta`` (a fake) or read files.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils import timezone

from nyckeltal import kolada_services
from nyckeltal.jamforelse import RIKET, ÅR_I_JÄMFÖRELSEN
from nyckeltal.kolada_services import Gruppost, Koladapost
from nyckeltal.models import Indikator, Jämförelsegrupp, Koladahämtning
from nämnd.models import Kommun

from . import kolada
from .kolada import BAS_URL, MAX_ID_PER_ANROP, MAX_SIDOR, KoladaHämtfel, _bitar, _kommunkod, _kön, _värde

GRUPPER_URL = f"{BAS_URL}/municipality_groups"
Hämta = Callable[[str], dict]


# --- URLs and pages ---------------------------------------------------------------------------------


def dataadresser(
    kpier: Iterable[str], ids: Iterable[str], år: Iterable[int], från_datum: dt.date | None = None
) -> list[str]:
    """The data URLs for all kpier, municipality ids and years, at most 25 ids in each path segment."""
    kpier_ = sorted({k.strip().upper() for k in kpier if k.strip()})
    ids_ = sorted({i.strip() for i in ids if i.strip()})
    år_ = sorted(set(år))
    fråga = f"?from_date={från_datum:%Y-%m-%d}" if från_datum else ""
    return [
        f"{BAS_URL}/data/kpi/{','.join(k)}/municipality/{','.join(m)}/year/{','.join(map(str, å))}{fråga}"
        for k in _bitar(kpier_, MAX_ID_PER_ANROP)
        for m in _bitar(ids_, MAX_ID_PER_ANROP)
        for å in _bitar(år_, MAX_ID_PER_ANROP)
    ]


def hämta_sidor(adresser: Iterable[str], hämta: Hämta) -> list[tuple[str, dict]]:
    """Every page of every URL as (the URL asked, the answer), following ``next_url``; KoladaHämtfel otherwise."""
    bas = urllib.parse.urlsplit(BAS_URL)
    sidor: list[tuple[str, dict]] = []
    for url in adresser:
        besökta: set[str] = set()
        nästa: str | None = url
        while nästa:
            delar = urllib.parse.urlsplit(nästa)
            if (delar.scheme, delar.netloc) != (bas.scheme, bas.netloc):
                raise KoladaHämtfel(f"Kolada hänvisade till en annan adress ({nästa}); hämtningen avbröts.")
            if nästa in besökta or len(sidor) >= MAX_SIDOR:
                raise KoladaHämtfel(f"Kolada svarade med för många sidor eller en sida två gånger ({nästa}).")
            besökta.add(nästa)
            try:
                sida = hämta(nästa)
            except Exception as e:  # noqa: BLE001 — network, HTTP and JSON errors all stop the fetch
                raise KoladaHämtfel(f"{nästa}: {e}") from e
            if not isinstance(sida, dict) or not isinstance(sida.get("values"), list):
                fel = sida.get("error") if isinstance(sida, dict) else None
                raise KoladaHämtfel(f"{nästa}: Kolada svarade med ett fel: {fel}" if fel else f"{nästa}: oväntat svar.")
            sidor.append((nästa, sida))
            nästa = sida.get("next_url")
    return sidor


# --- parsing ---------------------------------------------------------------------------------------


def tolka_grupper(sidor: Iterable[tuple[str, dict]]) -> list[Gruppost]:
    """``/v3/municipality_groups`` pages → groups (id, title, members' ids)."""
    ut = []
    for url, sida in sidor:
        for i, g in enumerate(sida.get("values", []), start=1):
            if not isinstance(g, dict) or not str(g.get("id") or "").strip() or not str(g.get("title") or "").strip():
                raise KoladaHämtfel(f"{url}: grupp {i} saknar id eller titel.")
            medlemmar = tuple(
                _kommunkod(m.get("id") if isinstance(m, dict) else m)
                for m in g.get("members") or []
                if (m.get("id") if isinstance(m, dict) else m)
            )
            ut.append(Gruppost(str(g["id"]).strip(), str(g["title"]).strip(), medlemmar, url))
    return ut


def tolka_data(sidor: Iterable[tuple[str, dict]]) -> list[Koladapost]:
    """Data pages → one post per kpi, municipality, year and gender; KoladaHämtfel (Swedish) for a broken value."""
    ut = []
    for url, sida in sidor:
        for i, post in enumerate(sida.get("values", []), start=1):
            if not isinstance(post, dict):
                raise KoladaHämtfel(f"{url}: post {i} är inte ett objekt.")
            kpi, kommun, period = post.get("kpi"), post.get("municipality"), post.get("period")
            if not isinstance(kpi, str) or not kolada.KPI_MÖNSTER.fullmatch(kpi.strip()):
                raise KoladaHämtfel(f"{url}: post {i}: {kpi!r} är inte ett Kolada-id.")
            if kommun is None or not str(kommun).strip():
                raise KoladaHämtfel(f"{url}: post {i}: kommun saknas.")
            try:
                år = int(period)  # type: ignore[arg-type]  # None and text are refused below
            except (TypeError, ValueError):
                raise KoladaHämtfel(f"{url}: post {i}: {period!r} är inte ett år.") from None
            for v in post.get("values") or []:
                kön = _kön(v.get("gender")) if isinstance(v, dict) else None
                if kön is None:
                    raise KoladaHämtfel(f"{url}: post {i}: okänt kön {v!r}; Kolada använder T, K och M.")
                try:
                    värde = _värde(v.get("value"))
                except ValueError as e:
                    raise KoladaHämtfel(f"{url}: post {i}: {e}") from None
                antal = v.get("count")
                ut.append(
                    Koladapost(
                        kpi.strip(),
                        _kommunkod(kommun) if str(kommun).strip().isdigit() else str(kommun).strip(),
                        år,
                        kön,
                        värde,
                        antal if isinstance(antal, int) and not isinstance(antal, bool) and antal >= 0 else None,
                        str(v.get("status") or ""),
                        url,
                        bool(v.get("isdeleted")),
                    )
                )
    return ut


# --- what to fetch ---------------------------------------------------------------------------------


def jämförelseadresser(
    kommun: Kommun, år: Iterable[int], från_datum: dt.date | None = None
) -> tuple[list[str], list[str]]:
    """The kpier of the kommun's indikatorer and the data URLs for them: per group used, its members, the group
    itself and riket."""
    grupper = {g.pk: g for g in Jämförelsegrupp.objects.filter(kommun=kommun)}
    standard = next((g for g in grupper.values() if g.standard), None)
    per_grupp: dict[int | None, set[str]] = defaultdict(set)
    for kpi, grupp_id in (
        Indikator.objects.for_kommun(kommun).exclude(kolada_id="").values_list("kolada_id", "jämförelsegrupp_id")
    ):
        g = grupper.get(grupp_id) if grupp_id else standard
        per_grupp[g.pk if g else None].add(kpi)
    adresser: list[str] = []
    for grupp_id, kpier in sorted(per_grupp.items(), key=lambda p: p[0] or 0):
        ids = [RIKET]
        if grupp_id is not None:
            ids += [grupper[grupp_id].kolada_id, *grupper[grupp_id].medlemmar]
        adresser += dataadresser(kpier, ids, år, från_datum)
    return sorted({k for s in per_grupp.values() for k in s}), adresser


def standardår(idag: dt.date | None = None) -> list[int]:
    """The last four years before this one (Kolada publishes a year's values during the next)."""
    år = (idag or timezone.localdate()).year
    return list(range(år - ÅR_I_JÄMFÖRELSEN, år))


# --- fetching live ---------------------------------------------------------------------------------


def hämta_grupper(user, kommun: Kommun, hämta: Hämta = kolada.hämta_json) -> list[Jämförelsegrupp]:
    """Kolada's municipality groups that have the kommun as a member, stored for the kommun."""
    kolada_services.kräv_koladarätt(user, kommun)
    grupper = [g for g in tolka_grupper(hämta_sidor([GRUPPER_URL], hämta)) if kommun.kommunkod in g.medlemmar]
    return kolada_services.spara_grupper(user, kommun, grupper, timezone.now())


def hämta_jämförelse(
    user,
    kommun: Kommun,
    hämta: Hämta = kolada.hämta_json,
    år: Iterable[int] | None = None,
    från_datum: dt.date | None = None,
) -> Koladahämtning:
    """The values of the kommun's indikatorer for its groups and riket; everything fetched, then one write."""
    kolada_services.kräv_koladarätt(user, kommun)
    kpier, adresser = jämförelseadresser(kommun, list(år or standardår()), från_datum)
    if not kpier:
        raise KoladaHämtfel(f"{kommun} har inga indikatorer med Kolada-id.")
    sidor = hämta_sidor(adresser, hämta)
    return kolada_services.spara_värden(
        user,
        kommun,
        tolka_data(sidor),
        tidpunkt=timezone.now(),
        kpier=kpier,
        adresser=adresser,
        från_datum=från_datum,
    )


# --- files (the demo, or answers saved by hand) -------------------------------------------------------


def _läs(fil: Path) -> dict:
    try:
        return json.loads(fil.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise KoladaHämtfel(f"{fil.name}: kan inte läsas som JSON ({e}).") from e


def ladda_katalog(user, kommun: Kommun, katalog: Path) -> list[Koladahämtning]:
    """Load a folder of saved v3 answers, described by its ``hamtning.json``:

    ``{"grupper": ["municipality_groups.json"], "standardgrupp": "G…", "val": {"U21468": "G…"},
    "hämtningar": [{"hämtad": "2026-11-30T06:00:00+01:00", "från_datum": null, "filer": ["data.json"],
    "url": {"data.json": "https://api.kolada.se/v3/data/…"}}]}``

    Each page's provenance is the URL given for its file (or the file's name); each entry of "hämtningar" is one
    fetch, in order, so a later one with changed values shows as revisions."""
    beskrivning = _läs(katalog / "hamtning.json")

    def sida(namn: str, url: dict) -> tuple[str, dict]:
        return url.get(namn, f"fil:{katalog.name}/{namn}"), _läs(katalog / namn)

    första = (
        dt.datetime.fromisoformat(beskrivning["hämtningar"][0]["hämtad"]) if beskrivning.get("hämtningar") else None
    )
    grupper = tolka_grupper(sida(n, {}) for n in beskrivning.get("grupper", []))
    sparade = {g.kolada_id: g for g in kolada_services.spara_grupper(user, kommun, grupper, första or timezone.now())}
    if (s := beskrivning.get("standardgrupp")) in sparade:
        kolada_services.välj_standardgrupp(user, sparade[s])
    for kpi, grupp_id in beskrivning.get("val", {}).items():
        for i in Indikator.objects.for_kommun(kommun).filter(kolada_id=kpi).select_related("mål__nämnd"):
            kolada_services.välj_grupp(user, i, sparade.get(grupp_id))
    hämtningar = []
    for h in beskrivning.get("hämtningar", []):
        sidor = [sida(n, h.get("url", {})) for n in h["filer"]]
        poster = tolka_data(sidor)
        hämtningar.append(
            kolada_services.spara_värden(
                user,
                kommun,
                poster,
                tidpunkt=dt.datetime.fromisoformat(h["hämtad"]),
                kpier=sorted({p.kpi for p in poster}),
                adresser=[u for u, _ in sidor],
                från_datum=dt.date.fromisoformat(h["från_datum"]) if h.get("från_datum") else None,
            )
        )
    return hämtningar
