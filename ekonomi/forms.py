"""The Månadsuppföljning grid as a form: parse the POSTed grid into ``Gridrad`` (kronor), and build what the
template shows (typed values kept, errors per cell, figures in the user's unit).

POST fields per row (``id`` = verksamhetsområde id). Five per row, so that 600 rows stay well under
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (4000):

    r{id}-utfall          this month's utfall as typed, in the unit ``visad_enhet`` (absent when the row's
                          utfall is imported per kostnadsslag: then it is read-only and never changed here)
    r{id}-prognos         helårsprognos as typed
    r{id}-kommentar       prognos comment
    r{id}-fore            "utfall_version|prognos_version|utfall_före|prognos_före": what the user loaded,
                          versions as integers and amounts in kronor as plain decimals ("" = nothing stored).
                          Packed into one hidden field; ``spara_månad`` uses it to tell edited rows from
                          untouched ones and to detect someone else's save in between (optimistic locking).
    r{id}-kommentar_fore  the loaded comment. Free text may contain "|" and newlines, so it has its own field;
                          it cannot be derived from the version server-side, because after someone else's save
                          the stored comment is no longer what this user started from.

Form-wide: ``visad_enhet`` (the unit the inputs are written in), ``enhet`` (the unit the user wants from now
on; it differs from ``visad_enhet`` only when the select was changed without JavaScript) and ``atgard``
("spara", or "byt_enhet" to re-show the grid in another unit without saving).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ekonomi import rimlighet
from ekonomi.berakning import NOLL, Månadsrad, avrunda, summera_månad, över_gräns
from ekonomi.kommentarsforslag import Radförslag
from ekonomi.prognosforslag import Prognosförslag
from ekonomi.services import Gridrad
from grund import manader
from grund.format import STRECK, tal
from grund.tal import BELOPP, Talfel, tolka
from nämnd.models import Rapporttyp
from nämnd.vakt import Vakt, Ändring, låser

ENHETER: dict[str, Decimal] = {"tkr": Decimal(1000), "kr": Decimal(1)}
ENHETSVAL = [("tkr", "tkr"), ("kr", "kr")]
STANDARDENHET = "tkr"
ÖRE = Decimal("0.01")

SPARA, BYT_ENHET, SPARA_ÄNDÅ = "spara", "byt_enhet", "spara_anda"  # SPARA_ÄNDÅ: past the plausibility warnings
BELOPPSFÄLT = ("utfall", "prognos")
_RAD = re.compile(r"r(\d+)-fore")


def giltig_enhet(enhet: str | None, standard: str = STANDARDENHET) -> str:
    return enhet if enhet in ENHETER else standard


def tolka_belopp(text: str, enhet: str) -> Decimal | None:
    """Typed amount in ``enhet`` → kronor (two decimals); empty → None. Raises ValueError in Swedish, naming the
    allowed range in ``enhet`` (``grund.tal.BELOPP``: what an amount field stores)."""
    text = (text or "").strip()
    if not text:
        return None
    visad = "'" + " ".join(text.split()) + "'"  # as typed (not repr(): no \xa0 for a no-break space)
    faktor = ENHETER[enhet]
    try:
        värde = tolka(text, BELOPP.i_enhet(enhet, int(faktor)))
    except Talfel as e:
        if e.slag == "inget tal":
            raise ValueError(f"{visad} är inte ett tal.") from None
        if e.slag == "decimaler":
            raise ValueError(f"{visad} har för många decimaler (belopp sparas i hela ören).") from None
        raise ValueError(f"{visad} {e.orsak}.") from None
    return (värde * faktor).quantize(ÖRE)


def belopp_text(kr: Decimal | None, enhet: str) -> str:
    """Kronor → the exact amount in ``enhet`` for an input ("130,25" tkr for 130 250 kr): no rounding, so an
    untouched cell parses back to exactly the stored amount and does not count as edited."""
    if kr is None:
        return ""
    värde = (Decimal(kr) / ENHETER[enhet]).normalize()
    return tal(värde, max(0, -värde.as_tuple().exponent))


def visa(kr: Decimal | None, enhet: str) -> str:
    """Kronor → a rounded read-only figure in ``enhet`` ("1 042" tkr), "–" for None."""
    return STRECK if kr is None else tal(avrunda(Decimal(kr), ENHETER[enhet]))


def _kr(kr: Decimal | None) -> str:
    """Kronor for a data- attribute the JavaScript reads (plain decimal, "" = none)."""
    return "" if kr is None else f"{Decimal(kr):f}"


def _före_text(r: Månadsrad) -> str:
    return "|".join(
        (
            "" if r.utfall_version is None else str(r.utfall_version),
            "" if r.prognos_version is None else str(r.prognos_version),
            _kr(r.utfall_månad),
            _kr(r.prognos),
        )
    )


def _normalisera(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Fel:
    """A validation error for the summary: ``text`` names the row and field; ``fält_id`` is the input's id."""

    text: str
    fält_id: str = ""


class Månadsformulär:
    """Parses a POSTed grid. ``is_valid()`` fills ``gridrader`` (kronor) or ``fel`` ({row id: {field: text}})."""

    def __init__(self, data: Mapping[str, str], *, månadsnamn: str = "denna månad"):
        self.data = data
        self.etiketter = {"utfall": f"utfall {månadsnamn}", "prognos": "helårsprognos", "kommentar": "kommentar"}
        self.visad_enhet = giltig_enhet(data.get("visad_enhet"))
        self.önskad_enhet = giltig_enhet(data.get("enhet"), self.visad_enhet)
        åtgärd = data.get("atgard")
        self.åtgärd = åtgärd if åtgärd in (BYT_ENHET, SPARA_ÄNDÅ) else SPARA
        self.gridrader: list[Gridrad] = []
        self.fel: dict[int, dict[str, str]] = {}
        # What the user typed and loaded, per row, to show again when the page is re-rendered.
        self.inmatat: dict[int, dict[str, str | None]] = {}
        self._validerad = False

    def _rad_ids(self) -> list[int]:
        return [int(m.group(1)) for nyckel in self.data if (m := _RAD.fullmatch(nyckel))]

    def is_valid(self) -> bool:
        if self._validerad:
            return not self.fel
        self._validerad = True
        for vo in self._rad_ids():
            p = f"r{vo}-"
            inmatat = {k: self.data.get(p + k) for k in ("utfall", "prognos", "kommentar", "fore", "kommentar_fore")}
            self.inmatat[vo] = inmatat
            fel: dict[str, str] = {}
            try:
                uv, pv, u_före, p_före = inmatat["fore"].split("|")
                utfall_version, prognos_version = (int(uv) if uv else None), (int(pv) if pv else None)
                utfall_före = tolka(u_före, BELOPP) if u_före else None
                prognos_före = tolka(p_före, BELOPP) if p_före else None
            except (ValueError, ArithmeticError):
                self.fel[vo] = {"rad": "raden är ofullständig. Ladda om sidan och försök igen."}
                continue
            belopp: dict[str, Decimal | None] = {"utfall": utfall_före, "prognos": prognos_före}
            for fält in BELOPPSFÄLT:
                if inmatat[fält] is None:  # not in the form (read-only cell): unchanged
                    continue
                try:
                    belopp[fält] = tolka_belopp(inmatat[fält], self.visad_enhet)
                except ValueError as e:
                    fel[fält] = str(e)
            if fel:
                self.fel[vo] = fel
                continue
            kommentar_före = _normalisera(inmatat["kommentar_fore"] or "")
            kommentar = kommentar_före if inmatat["kommentar"] is None else _normalisera(inmatat["kommentar"])
            self.gridrader.append(
                Gridrad(
                    verksamhetsområde_id=vo,
                    utfall=belopp["utfall"],
                    prognos=belopp["prognos"],
                    kommentar=kommentar,
                    utfall_före=utfall_före,
                    prognos_före=prognos_före,
                    kommentar_före=kommentar_före,
                    utfall_version=utfall_version,
                    prognos_version=prognos_version,
                )
            )
        return not self.fel

    def fellista(self, namn: Mapping[int, str]) -> list[Fel]:
        """Errors for the summary, each naming the row and field: "Ifo öppenvård och stöd, helårsprognos: …"."""
        return [
            Fel(
                f"{namn.get(vo, f'Verksamhetsområde {vo}')}, {self.etiketter.get(fält, 'raden')}: {text}",
                f"r{vo}-{fält}" if fält in self.etiketter else "",
            )
            for vo, per_fält in self.fel.items()
            for fält, text in per_fält.items()
        ]

    def text_i(self, vo: int, fält: str, enhet: str) -> str | None:
        """What the user typed in a cell, shown in ``enhet``. Unchanged when the unit is the same (keep exactly
        what was typed); converted when the user switched units; kept as typed when it does not parse."""
        text = self.inmatat.get(vo, {}).get(fält)
        if text is None or fält not in BELOPPSFÄLT or enhet == self.visad_enhet:
            return text
        try:
            return belopp_text(tolka_belopp(text, self.visad_enhet), enhet)
        except ValueError:
            return text


# --- what the template shows ---------------------------------------------------------------------------


@dataclass
class Radvy:
    id: int
    namn: str
    utfall_redigerbar: bool
    utfall: str  # input texts, in the unit shown
    prognos: str
    kommentar: str
    före: str
    kommentar_före: str
    # read-only figures, rounded in the unit shown
    utfall_visning: str
    prognos_visning: str
    ack: str
    periodbudget: str
    avvikelse: str
    helårsbudget: str
    förändring: str
    # kronor for manadsgrid.js (data- attributes): it recomputes the derived cells as the user types
    data: dict[str, str] = field(default_factory=dict)
    fel: dict[str, str] = field(default_factory=dict)
    konflikt: str = ""
    # the kommun's avvikelsegräns reached (``berakning.över_gräns``): by the period's deviation, by the prognos's
    över_gräns_period: bool = False
    över_gräns_helår: bool = False
    varningar: dict[str, str] = field(default_factory=dict)  # field → plausibility warning (ekonomi.rimlighet)
    förslag: Förslagsvy | None = None  # the proposed helårsprognos (ekonomi.prognosforslag)
    kommentarsförslag: Radförslag | None = None  # the variance split and drafted comment (ekonomi.kommentarsforslag)


@dataclass
class Summavy:
    namn: str
    celler: dict[str, str]


@dataclass
class Gruppvy:
    namn: str
    är_block: bool
    rader: list[Radvy]
    summa: Summavy | None


def _summavy(s: dict, enhet: str) -> Summavy:
    return Summavy(
        s["namn"],
        {
            "utfall": visa(s["utfall_månad"], enhet),
            "ack": visa(s["utfall_ack"], enhet),
            "periodbudget": visa(s["periodbudget"], enhet),
            "avvikelse": visa(s["avvikelse"], enhet),
            "helårsbudget": visa(s["helårsbudget"], enhet),
            "prognos": visa(s["prognos"], enhet),
            "förändring": visa(s["prognosförändring"], enhet),
        },
    )


@dataclass(frozen=True)
class Gridram:
    """What every row of one grid page is judged by: the kommun's avvikelsegräns (kronor, %), the month and
    whether the page is read-only (closed, fastställd, or a user who may only read)."""

    år: int
    månad: int
    månadsnamn: str
    gräns_kr: Decimal | None = None
    gräns_procent: Decimal | None = None
    skrivskyddad: bool = False
    utfall_fg: Mapping[int, Decimal] = field(default_factory=dict)  # område → the same month last year


def _gränsmarkering(r: Månadsrad, ram: Gridram, utfall: Decimal | None, prognos: Decimal | None) -> tuple[bool, bool]:
    """Whether the row's period deviation and its prognos's deviation from the year's budget reach the kommun's
    limit, like the check ``kommentar_saknas`` (rapporter.kontroller): the helår one only before December and
    only with a prognos. ``utfall``/``prognos``: the figures shown (typed after a refused save)."""
    ack = r.utfall_ack - (r.utfall_månad or NOLL) + (utfall or NOLL) if not r.utfall_per_kostnadsslag else r.utfall_ack
    period = bool(över_gräns(r.periodbudget - ack, r.periodbudget, ram.gräns_kr, ram.gräns_procent))
    helår = (
        ram.månad < 12
        and prognos is not None
        and bool(över_gräns(r.helårsbudget - prognos, r.helårsbudget, ram.gräns_kr, ram.gräns_procent))
    )
    return period, helår


def rimlighetsvarningar(r: Månadsrad, ram: Gridram, utfall: Decimal | None, prognos: Decimal | None) -> dict:
    """Field → warning text (``ekonomi.rimlighet``) for the figures ``utfall``/``prognos`` of row ``r``."""
    ut: dict[str, str] = {}
    for v in rimlighet.varningar(
        utfall=utfall,
        utfall_fg=ram.utfall_fg.get(r.id),
        prognos=prognos,
        helårsbudget=r.helårsbudget,
        månadsnamn=ram.månadsnamn,
        år=ram.år,
    ):
        ut[v.fält] = f"{ut[v.fält]} {v.text}" if v.fält in ut else v.text
    return ut


def ändrade_varningar(grupper: Sequence, formulär: Månadsformulär, ram: Gridram) -> dict[int, dict[str, str]]:
    """Plausibility warnings for the values the user changed in a valid POST (row id → field → text); values
    left as loaded are not warned about again."""
    rader = {r.id: r for g in grupper for r in g.rader}
    ut: dict[int, dict[str, str]] = {}
    for g in formulär.gridrader:
        r = rader.get(g.verksamhetsområde_id)
        if r is None:
            continue
        utfall = g.utfall if g.utfall != g.utfall_före and not r.utfall_per_kostnadsslag else None
        prognos = g.prognos if g.prognos != g.prognos_före else None
        if varningar := rimlighetsvarningar(r, ram, utfall, prognos):
            ut[r.id] = varningar
    return ut


def _radvy(
    r: Månadsrad, enhet: str, formulär: Månadsformulär | None, konflikt: bool, ram: Gridram, varningar: dict
) -> Radvy:
    vy = Radvy(
        id=r.id,
        namn=r.namn,
        utfall_redigerbar=not r.utfall_per_kostnadsslag and not ram.skrivskyddad,
        utfall=belopp_text(r.utfall_månad, enhet),
        prognos=belopp_text(r.prognos, enhet),
        kommentar=r.kommentar,
        före=_före_text(r),
        kommentar_före=r.kommentar,
        utfall_visning=visa(r.utfall_månad, enhet),
        prognos_visning=visa(r.prognos, enhet),
        ack=visa(r.utfall_ack, enhet),
        periodbudget=visa(r.periodbudget, enhet),
        avvikelse=visa(r.avvikelse, enhet),
        helårsbudget=visa(r.helårsbudget, enhet),
        förändring=visa(r.prognosförändring, enhet),
        data={
            # accumulated utfall without this month's netto cell, which the user may be typing
            "ack-bas": _kr(r.utfall_ack - ((r.utfall_månad or NOLL) if not r.utfall_per_kostnadsslag else NOLL)),
            "utfall-fast": _kr(r.utfall_månad) if r.utfall_per_kostnadsslag or ram.skrivskyddad else "",
            "prognos-fast": _kr(r.prognos) if ram.skrivskyddad else "",
            "periodbudget": _kr(r.periodbudget),
            "helarsbudget": _kr(r.helårsbudget),
            "foregaende": _kr(r.föregående_prognos),
            "utfall-fg": _kr(ram.utfall_fg.get(r.id)),
        },
    )
    utfall, prognos = r.utfall_månad, r.prognos
    if konflikt:
        vy.konflikt = (
            f"Ändrad av någon annan. Sparat nu: utfall {vy.utfall_visning}, helårsprognos "
            f"{visa(r.prognos, enhet)}{', kommentar: ' + r.kommentar if r.kommentar else ''}."
        )
    if formulär is not None and r.id in formulär.inmatat and not ram.skrivskyddad:
        # Re-rendered after a POST: show what the user typed and keep what they loaded (versions, före).
        inmatat = formulär.inmatat[r.id]
        for fält in ("utfall", "prognos", "kommentar"):
            text = formulär.text_i(r.id, fält, enhet)
            if text is not None:
                setattr(vy, fält, _normalisera(text) if fält == "kommentar" else text)
        vy.före = inmatat["fore"] or vy.före
        if inmatat["kommentar_fore"] is not None:
            vy.kommentar_före = _normalisera(inmatat["kommentar_fore"])
        vy.fel = formulär.fel.get(r.id, {})
        typat = {g.verksamhetsområde_id: g for g in formulär.gridrader}.get(r.id)
        if typat is not None:
            utfall, prognos = (r.utfall_månad if r.utfall_per_kostnadsslag else typat.utfall), typat.prognos
    vy.över_gräns_period, vy.över_gräns_helår = _gränsmarkering(r, ram, utfall, prognos)
    vy.varningar = varningar.get(r.id, {})
    return vy


@dataclass(frozen=True)
class Förslagsvy:
    """A proposed helårsprognos as the grid shows it: "Förslag: 12 345 (säsongsprofil 2021–2023)"."""

    visning: str  # rounded to whole units of the unit shown
    värde: str  # the same figure as input text: what "Använd" fills in
    kronor: str  # plain decimal for static/js/prognosforslag.js
    metod: str  # "säsongsprofil 2021–2023", "budgetens periodisering", "rak uppräkning" (+ ", utfall t.o.m. juli")


def förslagsvy(f: Prognosförslag | None, enhet: str, månad: int) -> Förslagsvy | None:
    """``f`` in ``enhet``; the method names the last month counted when it is before the grid's ``månad``."""
    if f is None:
        return None
    faktor = ENHETER[enhet]
    metod = f.text[0].lower() + f.text[1:]
    if f.t_o_m < månad:
        metod += f", utfall t.o.m. {manader.lång(f.t_o_m)}"
    return Förslagsvy(
        visa(f.belopp, enhet), belopp_text(avrunda(f.belopp, faktor) * faktor, enhet), _kr(f.belopp), metod
    )


def gridvy(
    grupper: Sequence,
    enhet: str,
    formulär: Månadsformulär | None = None,
    konflikter: Iterable[str] = (),
    ram: Gridram | None = None,
    varningar: Mapping[int, dict[str, str]] | None = None,
    *,
    använd_förslag: int | None = None,
) -> tuple[list[Gruppvy], Summavy]:
    """Groups of rows for the template, plus the total row. ``grupper``: ``ekonomi.selectors.Månadsgrupp``.
    ``använd_förslag``: the row whose "Använd" was posted without JavaScript — its prognos input shows the
    proposal (nothing is saved until Spara)."""
    konflikter = set(konflikter)
    ram = ram or Gridram(0, 1, "")
    vyer = [
        Gruppvy(
            g.namn,
            g.är_block,
            [_radvy(r, enhet, formulär, r.namn in konflikter, ram, dict(varningar or {})) for r in g.rader],
            _summavy(g.summa, enhet) if g.är_block else None,
        )
        for g in grupper
    ]
    for g, gv in zip(grupper, vyer, strict=True):
        for rv in gv.rader:
            rv.förslag = förslagsvy(getattr(g, "förslag", {}).get(rv.id), enhet, ram.månad)
            if rv.förslag is not None and rv.id == använd_förslag and not ram.skrivskyddad:
                rv.prognos = rv.förslag.värde
    return vyer, _summavy(summera_månad("Summa", [r for g in grupper for r in g.rader]), enhet)


@dataclass(frozen=True)
class Skrivskydd:
    """Why the grid is read-only, for the notice above it: a heading ("Augusti 2023 är stängd.") and a text."""

    kod: str  # "period_stängd" | "fastställd" | "läsare"
    rubrik: str
    text: str


def skrivskydd(vakt: Vakt, ändring: Ändring, månadsnamn: str) -> Skrivskydd | None:
    """The one edit guard's answer for the grid's month (``Vakt.spärr``), or the user's role, as a notice."""
    spärr = vakt.spärr(ändring)
    if spärr is not None and spärr.kod == "fastställd":
        lås = next((lås for lås in vakt.lås if låser(lås, ändring)), None)
        vad = f"{Rapporttyp(lås.rapporttyp).label.lower()} {lås.år}" if lås else "rapport"
        return Skrivskydd(spärr.kod, f"Omfattas av fastställd {vad}.", spärr.text)
    if spärr is not None:
        return Skrivskydd(
            spärr.kod,
            f"{månadsnamn.capitalize()} {ändring.år} är stängd.",
            f"{spärr.text} Siffrorna visas skrivskyddade.",
        )
    if not vakt.får_redigera():
        return Skrivskydd(
            "läsare",
            f"Du kan läsa men inte ändra {vakt.nämnd.namn}s siffror.",
            "Siffrorna visas skrivskyddade. Be kommunens administratör om behörighet att ändra.",
        )
    return None
