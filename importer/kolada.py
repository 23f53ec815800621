"""Kolada → Indikatorvärde (källa "Kolada").

Two inputs, one import:

* the JSON of Kolada's open API v3 (``/v3/data/kpi/{kpi}/municipality/{id}/year/{years}``): one answer, or a
  list of answers (the pages of a paged answer, as ``hamta_kolada`` collects them);
* a table as people download it (.xlsx or .csv): kpi, kommun, år and the values per gender, either as
  columns T/K/M (Totalt/Kvinnor/Män), as a Kön column with a Värde column, or with one column per year.

Both become the same plain rows (kpi, kommun, år, T, K, M) and are planned by
``importer.mallar.indikatorer.planera_indikatorvärden``: a kpi maps to every Indikator of the kommun's nämnder with that
``kolada_id``; ``municipality`` must be the kommun's ``kommunkod`` (rows of other kommuner, e.g. comparison
kommuner in a download, are skipped and listed). A ``null`` value never erases a stored value, and a year
missing from the answer leaves that year as it is. A changed value is a revision (old → new in the preview)
and is refused for a closed year or a fastställd report.

Fetching live (management command ``hamta_kolada``): ≤ 25 ids per path segment, ``next_url`` followed to the
end, everything fetched before anything is written, then one atomic import through the same parser.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grund.tal import NYCKELTAL, ÅR, tolka
from nämnd.behorighet import kan_importera
from nämnd.models import Kommun, Nämnd

from . import lasare
from .lasare import Bladrader, Radfel, rubrik_och_enhet
from .mallar.indikatorer import Indikatorpost, indikatorer_för, planera_indikatorvärden
from .mallar.ramverk import (
    GRÄNSER,
    SKIPPA_BLAD,
    Importtypdef,
    Kolumnkarta,
    Kontext,
    Plan,
    Tolkat,
    hitta_kolumner,
    nyckeltext,
    skriv,
    tom,
)
from .mallar.volymer import bred_kolumn
from .models import Import, Importtyp

KÄLLA = "Kolada"
BAS_URL = "https://api.kolada.se/v3"
MAX_ID_PER_ANROP = 25
MAX_SIDOR = 1000
KÖN = {
    "T": "T",
    "K": "K",
    "M": "M",
    "totalt": "T",
    "total": "T",
    "alla": "T",
    "kvinnor": "K",
    "kvinna": "K",
    "män": "M",
    "man": "M",
}
KPI_MÖNSTER = re.compile(r"\b([A-Z]\d{5})\b")


def _kön(text) -> str | None:
    """ "T", "k", "Kvinnor", "Män" … → "T"/"K"/"M"; None when unknown."""
    s = str(text or "").strip()
    return KÖN.get(s.upper() if len(s) == 1 else s.lower())


class KoladaHämtfel(Exception):
    """Fetching from Kolada failed; nothing was imported."""


class KoladaImportfel(Exception):
    def __init__(self, fel: list[Radfel]):
        self.fel = fel
        super().__init__("\n".join(str(f) for f in fel))


def _värde(v) -> Decimal | None:
    """A value from JSON (float or null) or a table cell (number or Swedish text), rounded half up to the two
    decimals an indicator value has. ValueError in Swedish (with the allowed range) otherwise."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return lasare.tal(v.strip().removesuffix("%").strip() if isinstance(v, str) else v, NYCKELTAL, decimaler="avrunda")


def _kommunkod(v) -> str:
    """ "0180", 180 (a leading zero lost in Excel), "0180 Stockholm" → "0180"; a name stays a name."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{int(v):04d}"
    text = " ".join(str(v).split())
    if m := re.match(r"^(\d{1,4})\b", text):
        return m[1].zfill(4)
    return text


class Rader:
    """Collects (kpi, kommun, år) rows, merging the genders; a value given twice differently is an error."""

    def __init__(self, tolkat: Tolkat):
        self.tolkat = tolkat
        self.per_nyckel: dict[tuple, dict] = {}

    def lägg_till(
        self,
        blad: str,
        rad: int,
        kolumn: str | None,
        kpi: str,
        kommun: str | None,
        år: int,
        kön: str,
        värde: Decimal | None,
    ) -> None:
        nyckel = (kpi, kommun, år)
        post = self.per_nyckel.setdefault(
            nyckel,
            {
                "blad": blad,
                "rad": rad,
                "kpi": kpi,
                "kommun": kommun,
                "år": år,
                "T": None,
                "K": None,
                "M": None,
                "_satt": [],
            },
        )
        if kön in post["_satt"]:
            tidigare = post[kön]
            if tidigare != (str(värde) if värde is not None else None):
                self.tolkat.fel.append(
                    Radfel(
                        blad or None,
                        rad,
                        kolumn,
                        (f"{kpi} {år} kön {kön} finns redan (rad {post['rad']}) med ett annat värde."),
                    )
                )
            return
        post["_satt"].append(kön)
        post[kön] = str(värde) if värde is not None else None

    def klara(self) -> list[dict]:
        return [{k: v for k, v in p.items() if k != "_satt"} for p in self.per_nyckel.values()]


def tolka_json(data, namn: str = "JSON") -> Tolkat:
    """One Kolada v3 answer (``{"count", "next_url", "values": [...]}``) or a list of them (pages)."""
    tolkat = Tolkat()
    sidor = data if isinstance(data, list) else [data]
    rader = Rader(tolkat)
    for s, sida in enumerate(sidor, start=1):
        blad = f"{namn} sida {s}" if len(sidor) > 1 else namn
        if not isinstance(sida, dict) or not isinstance(sida.get("values"), list):
            fel = sida.get("error") if isinstance(sida, dict) else None
            tolkat.fel.append(
                Radfel(
                    blad,
                    None,
                    None,
                    (
                        f"Kolada svarade med ett fel: {fel}"
                        if fel
                        else 'Filen är inte ett svar från Koladas API (v3): listan "values" saknas.'
                    ),
                )
            )
            continue
        for i, post in enumerate(sida["values"], start=1):
            tolkat.antal_rader += 1
            if not isinstance(post, dict):
                tolkat.fel.append(Radfel(blad, i, None, "Posten är inte ett objekt."))
                continue
            kpi, kommun, period = post.get("kpi"), post.get("municipality"), post.get("period")
            if not isinstance(kpi, str) or not KPI_MÖNSTER.fullmatch(kpi.strip()):
                tolkat.fel.append(Radfel(blad, i, "kpi", f"{kpi!r} är inte ett Kolada-id (t.ex. U21468)."))
                continue
            if kommun is None or tom(str(kommun)):
                tolkat.fel.append(Radfel(blad, i, "municipality", "Kommunkod saknas."))
                continue
            try:
                år = int(tolka(period.strip() if isinstance(period, str) else period, ÅR))
            except ValueError:
                tolkat.fel.append(Radfel(blad, i, "period", f"{period!r} är inte ett år."))
                continue
            värden = post.get("values")
            if not isinstance(värden, list):
                tolkat.fel.append(Radfel(blad, i, "values", "Listan med värden per kön saknas."))
                continue
            for v in värden:
                kön = _kön(v.get("gender")) if isinstance(v, dict) else None
                if kön is None:
                    tolkat.fel.append(Radfel(blad, i, "gender", f"Okänt kön {v!r}; Kolada använder T, K och M."))
                    continue
                try:
                    värde = _värde(v.get("value"))
                except ValueError as e:
                    tolkat.fel.append(Radfel(blad, i, "value", str(e)))
                    continue
                rader.lägg_till(blad, i, "values", kpi.strip(), _kommunkod(kommun), år, kön, värde)
    if sidor and isinstance(sidor[-1], dict) and sidor[-1].get("next_url"):
        tolkat.noteringar.append(
            "Svaret har fler sidor (next_url) som inte finns i filen. Bara värdena i filen importeras; hämta alla "
            "sidor eller använd kommandot hamta_kolada."
        )
    tolkat.rader = rader.klara()
    return tolkat


TABELLKOLUMNER = {
    "kpi": (
        "kpi",
        "kpi-id",
        "kpi id",
        "kpi_id",
        "nyckeltals-id",
        "nyckeltalsid",
        "nyckeltal-id",
        "nyckeltal id",
        "kolada-id",
        "kolada id",
        "id",
    ),
    "kpinamn": ("nyckeltal", "titel", "title", "kpi-namn", "nyckeltalsnamn"),
    "kommunkod": (
        "kommun-id",
        "kommunid",
        "kommun id",
        "kommunkod",
        "municipality",
        "municipality_id",
        "municipality id",
        "kod",
    ),
    "kommunnamn": ("kommun", "kommunnamn", "organisation"),
    "år": ("år", "period", "year", "ar"),
    "kön": ("kön", "gender", "kon"),
    "värde": ("värde", "value", "varde"),
    "T": ("t", "totalt", "total", "alla", "värde totalt", "värde t"),
    "K": ("k", "kvinnor", "kvinna", "värde kvinnor", "värde k"),
    "M": ("m", "män", "man", "värde män", "värde m"),
}


def _årskolumn(rubrik) -> int | None:
    """A header that is just a year (2022, "2022"): one column per year."""
    b = bred_kolumn(rubrik)
    siffror = isinstance(rubrik, (int, float)) or rubrik_och_enhet(rubrik)[0].isdigit()
    return b[1] if b and b[0] == "utfall_helår" and siffror else None


def tolka_tabell(tabeller: list[Bladrader], profil=None) -> Tolkat:
    tolkat = Tolkat()
    rader = Rader(tolkat)
    hittade = False
    for tabell in tabeller:
        if tabell.namn.strip().lower() in SKIPPA_BLAD:
            continue
        karta = hitta_kolumner(
            tabell,
            TABELLKOLUMNER,
            (("kpi", "kpinamn"), ("år", "*"), ("värde", "T", "K", "M", "*")),
            profil,
            extra=lambda c: _årskolumn(c) is not None,
        )
        if karta is None:
            continue
        hittade = True
        år_kolumner = {
            i: å
            for i, c in enumerate(karta.rubriker)
            if i not in karta.index.values() and (å := _årskolumn(c)) is not None
        }
        tolkat.kolumner[tabell.namn] = {f: karta.ref(f) for f in karta.index}
        for nummer, celler in karta.datarader(tabell):
            tolkat.antal_rader += 1
            _tolka_tabellrad(_Tabellrad(tabell.namn, nummer, karta, tolkat), celler, år_kolumner, rader)
    if not hittade:
        tolkat.fel.append(
            Radfel(
                None,
                None,
                None,
                (
                    "Hittade ingen rubrikrad med Kolada-id (kpi), år och värden (T/K/M, Kön + Värde eller en kolumn per år)."
                ),
            )
        )
    tolkat.rader = rader.klara()
    return tolkat


@dataclass
class _Tabellrad:
    """Where a row of a Kolada table is read, and where its errors go."""

    blad: str
    nummer: int
    karta: Kolumnkarta
    tolkat: Tolkat

    def fel(self, fält: str, text: str) -> None:
        kolumn = self.karta.ref(fält) if fält in self.karta.index else fält
        self.tolkat.fel.append(Radfel(self.blad or None, self.nummer, kolumn, text))


def _tolka_tabellrad(r: _Tabellrad, celler: list, år_kolumner: dict[int, int], rader: Rader) -> None:
    karta = r.karta
    cell = {f: (celler[i] if i < len(celler) else None) for f, i in karta.index.items()}
    if trasiga := [f for f, c in cell.items() if isinstance(c, lasare.Cellvärdesfel)]:
        for f in trasiga:
            r.fel(f, str(cell[f]))
        return
    källtext = cell.get("kpi") if not tom(cell.get("kpi")) else cell.get("kpinamn")
    m = KPI_MÖNSTER.search(str(källtext or "").upper())
    if not m:
        r.fel("kpi" if "kpi" in karta.index else "kpinamn", f"{källtext!r} innehåller inget Kolada-id (t.ex. U21468).")
        return
    kpi = m[1]
    kommun = None
    if not tom(cell.get("kommunkod")):
        kommun = _kommunkod(cell["kommunkod"])
    elif not tom(cell.get("kommunnamn")):
        kommun = _kommunkod(cell["kommunnamn"])
    år = None
    if not tom(cell.get("år")):
        try:
            år = int(tolka(str(cell["år"]).strip()[:4], ÅR))
        except ValueError:
            r.fel("år", f"{cell['år']!r} är inte ett år.")
            return
    kön = "T"
    if "kön" in karta.index and (kön := _kön(cell["kön"])) is None:
        r.fel("kön", f"Okänt kön {cell['kön']!r}; använd T, K och M (totalt, kvinnor, män).")
        return
    värden = []  # (column, år, kön, cell): each value is parsed on its own, so an error names its column
    if "värde" in karta.index or any(g in karta.index for g in ("T", "K", "M")):
        if år is None:
            r.fel("år", "Ange år.")
            return
        if "värde" in karta.index:
            värden.append((karta.ref("värde"), år, kön, cell["värde"]))
        värden += [(karta.ref(g), år, g, cell[g]) for g in ("T", "K", "M") if g in karta.index]
    värden += [(karta.kolumnref(i), å, kön, celler[i] if i < len(celler) else None) for i, å in år_kolumner.items()]
    for kolumn, å, g, c in värden:
        try:
            v = _värde(c)
        except ValueError as e:
            r.tolkat.fel.append(Radfel(r.blad or None, r.nummer, kolumn, str(e)))
            continue
        rader.lägg_till(r.blad, r.nummer, kolumn, kpi, kommun, å, g, v)


class Koladaimport(Importtypdef):
    typ = Importtyp.KOLADA
    titel = "Indikatorer från Kolada"
    filtyper = (".json", ".xlsx", ".csv")
    instruktioner = (
        "Ladda upp ett svar från Koladas API v3 (.json, t.ex. från "
        "https://api.kolada.se/v3/data/kpi/U21468/municipality/0180/year/2021,2022,2023) eller en tabell (.xlsx/.csv) "
        "med Kolada-id, kommun, år och värden.",
        "Värdena per kön: kolumnerna T, K och M (eller Totalt, Kvinnor, Män), eller en kolumn Kön med en kolumn Värde. "
        "År kan också stå som kolumnrubriker (en kolumn per år).",
        "Värdena kopplas till alla indikatorer med samma Kolada-id i kommunens nämnder som du får importera för.",
        "Rader för andra kommuner hoppas över. Tomma värden (null) lämnar befintliga värden orörda.",
        "Ett ändrat värde visas som en revidering (gammalt → nytt). Stängda år och fastställda rapporter ändras inte.",
    )

    def tolka(self, filnamn, innehåll, profil=None):
        """JSON (recognised by its content, whatever the file is called) or a table through the safe reader."""
        if innehåll.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
            if len(innehåll) > GRÄNSER.max_filstorlek:
                return Tolkat(
                    fel=[Radfel(None, None, None, f"Filen är större än {GRÄNSER.max_filstorlek // lasare.MB} MB.")]
                )
            try:
                data = json.loads(innehåll.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                return Tolkat(
                    fel=[
                        Radfel(
                            None,
                            None,
                            None,
                            "Filen är inte giltig JSON. Spara svaret från Koladas API som det är (.json).",
                        )
                    ]
                )
            return tolka_json(data)
        return super().tolka(filnamn, innehåll, profil)

    def tolka_tabeller(self, tabeller, profil):
        return tolka_tabell(tabeller, profil)

    def kontext(self, user, nämnd):
        """The kommun's nämnder the user may import for: one Kolada file updates them all."""
        nämnder = [
            n for n in Nämnd.objects.filter(kommun=nämnd.kommun).select_related("kommun") if kan_importera(user, n)
        ]
        return Kontext(nämnd.kommun, nämnd, nämnder, user)

    def planera(self, ctx, tolkat):
        return planera(ctx, tolkat)


def planera(ctx: Kontext, tolkat: Tolkat) -> Plan:
    plan = Plan(ändrad_etikett="Reviderad")
    kod = (ctx.kommun.kommunkod or "").strip()
    if not kod:
        plan.fel.append(
            Radfel(
                None,
                None,
                None,
                f"{ctx.kommun} saknar kommunkod (t.ex. 0180). En administratör "
                "anger den under Organisation → Kommuner.",
            )
        )
        return plan
    egna = _egna_rader(ctx, tolkat, kod, plan)
    if tolkat.rader and not egna:
        plan.fel.append(Radfel(None, None, None, f"Filen innehåller inga värden för {ctx.kommun} (kommunkod {kod})."))
        return plan
    if any(r["kommun"] is None for r in egna):
        plan.noteringar.append(f"Filen saknar kommunkolumn; värdena antas gälla {ctx.kommun}.")
    poster = _indikatorposter(ctx, egna, plan)
    return planera_indikatorvärden(ctx, tolkat, poster, plan)


def _egna_rader(ctx: Kontext, tolkat: Tolkat, kod: str, plan: Plan) -> list[dict]:
    """The rows for the kommun (by code or name, or without a kommun); the others are counted in a note."""
    namn = {nyckeltext(ctx.kommun.namn), nyckeltext(ctx.kommun.namn.removesuffix(" kommun"))}
    egna, andra = [], Counter()
    for rad in tolkat.rader:
        if rad["kommun"] is None or rad["kommun"] == kod or nyckeltext(rad["kommun"]) in namn:
            egna.append(rad)
        else:
            andra[rad["kommun"]] += 1
    if andra:
        plan.noteringar.append(
            "Värden för andra kommuner hoppades över: "
            + ", ".join(f"{k} ({n} st)" for k, n in sorted(andra.items()))
            + "."
        )
    return egna


def _indikatorposter(ctx: Kontext, egna: list[dict], plan: Plan) -> list[Indikatorpost]:
    """The kommun's rows matched to its indikatorer by Kolada-id, with notes on what was skipped or missing."""
    per_id: dict[str, list] = defaultdict(list)
    for i in indikatorer_för(ctx.nämnder):
        if i.kolada_id:
            per_id[i.kolada_id.upper()].append(i)
    okända, tomma = Counter(), 0
    poster = []
    år_per_kpi: dict[str, set[int]] = defaultdict(set)
    for rad in egna:
        indikatorer = per_id.get(rad["kpi"].upper())
        if not indikatorer:
            okända[rad["kpi"]] += 1
            continue
        år_per_kpi[rad["kpi"]].add(rad["år"])
        if all(rad[g] is None for g in ("T", "K", "M")):
            tomma += 1
        d = {g: Decimal(rad[g]) if rad[g] is not None else None for g in ("T", "K", "M")}
        poster.append(Indikatorpost(rad, indikatorer, rad["år"], "utfall", d["T"], d["K"], d["M"], KÄLLA))
    if okända:
        plan.noteringar.append(
            "Kolada-id som ingen indikator i nämnderna har hoppades över: "
            + ", ".join(f"{k} ({n} st)" for k, n in sorted(okända.items()))
            + "."
        )
    if tomma:
        plan.noteringar.append(f"{tomma} värden saknas i Kolada (null); befintliga värden lämnas orörda.")
    for kpi, år in sorted(år_per_kpi.items()):
        saknas = sorted(set(range(min(år), max(år) + 1)) - år)
        if saknas:
            plan.noteringar.append(
                f"{kpi}: inget värde för {', '.join(map(str, saknas))} i filen; "
                "befintliga värden för de åren lämnas orörda."
            )
    return poster


# --- fetching live ------------------------------------------------------------------------------


def hämta_json(url: str, timeout: float = 30) -> dict:
    """GET one page of Kolada's API (the real network; tests inject a fake instead)."""
    if not url.startswith(BAS_URL + "/"):
        raise ValueError(f"Bara {BAS_URL} används, inte {url}.")
    förfrågan = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "Socialrapport"})  # noqa: S310
    with urllib.request.urlopen(förfrågan, timeout=timeout) as svar:  # noqa: S310 — https://api.kolada.se only
        return json.loads(svar.read(50 * 1024 * 1024).decode("utf-8"))


def _bitar(lista: list, storlek: int) -> list[list]:
    return [lista[i : i + storlek] for i in range(0, len(lista), storlek)]


def adresser(kpier: Iterable[str], kommunkod: str, år: Iterable[int]) -> list[str]:
    """The data URLs for all kpier and years, at most ``MAX_ID_PER_ANROP`` ids per path segment."""
    kpier = sorted({k.strip().upper() for k in kpier if k.strip()})
    år = sorted(set(år))
    return [
        f"{BAS_URL}/data/kpi/{','.join(k)}/municipality/{kommunkod}/year/{','.join(map(str, å))}"
        for k in _bitar(kpier, MAX_ID_PER_ANROP)
        for å in _bitar(år, MAX_ID_PER_ANROP)
    ]


def hämta_sidor(
    kpier: Iterable[str], kommunkod: str, år: Iterable[int], hämta: Callable[[str], dict] = hämta_json
) -> list[dict]:
    """Every page of every chunk, or KoladaHämtfel. Nothing is written here."""
    bas = urllib.parse.urlsplit(BAS_URL)
    sidor = []
    for url in adresser(kpier, kommunkod, år):
        besökta = set()
        while url:
            delar = urllib.parse.urlsplit(url)
            if (delar.scheme, delar.netloc) != (bas.scheme, bas.netloc):
                raise KoladaHämtfel(f"Kolada hänvisade till en annan adress ({url}); hämtningen avbröts.")
            if url in besökta or len(sidor) >= MAX_SIDOR:
                raise KoladaHämtfel(f"Kolada svarade med för många sidor eller en sida två gånger ({url}).")
            besökta.add(url)
            try:
                sida = hämta(url)
            except Exception as e:  # noqa: BLE001 — network, HTTP and JSON errors all stop the import
                raise KoladaHämtfel(f"{url}: {e}") from e
            if not isinstance(sida, dict) or "values" not in sida:
                raise KoladaHämtfel(f"{url}: oväntat svar: {str(sida)[:200]}")
            sidor.append(sida)
            url = sida.get("next_url")
    return sidor


def importera_svar(
    kommun: Kommun, sidor: list[dict], filnamn: str, user=None, torrkörning: bool = False
) -> tuple[Import | None, Plan]:
    """Plan and write fetched answers in one transaction for all the kommun's nämnder; KoladaImportfel (and
    nothing written) when any value is refused."""
    tolkat = tolka_json(sidor, namn="Kolada")
    with transaction.atomic():
        ctx = Kontext(kommun, None, list(Nämnd.objects.filter(kommun=kommun)), user, lås=True)
        plan = planera(ctx, tolkat) if tolkat.rader else Plan()
        fel = [*tolkat.fel, *plan.fel]
        if fel:
            raise KoladaImportfel(fel)
        plan.noteringar[:0] = tolkat.noteringar
        if torrkörning or not plan.poster:
            return None, plan
        innehåll = json.dumps(sidor, sort_keys=True, ensure_ascii=False).encode()
        imp = Import.objects.create(
            kommun=kommun,
            typ=Importtyp.KOLADA,
            filnamn=filnamn[:255],
            sha256=hashlib.sha256(innehåll).hexdigest(),
            användare=user,
            status=Import.Status.GENOMFÖRD,
            genomförd=timezone.now(),
            antal_rader=tolkat.antal_rader,
            antal_skapade=len(plan.skapade),
            antal_ändrade=len(plan.ändrade),
            antal_oförändrade=plan.oförändrade,
        )
        skriv(plan, imp, user)
    return imp, plan
