"""Server-side SVG charts: the same markup is shown in the HTML page and embedded in the PDF.

Charts are horizontal grouped bars (long Swedish labels fit on the left). Series differ by fill *and*
pattern so they read in black and white; each chart has a title, a text description and sits next to a
table with the same figures (the section's own table).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .format import tal, värde

BREDD = 680
ETIKETT = 250
RADHÖJD = 8
MELLANRUM = 10


@dataclass(frozen=True)
class Serie:
    namn: str
    värden: Sequence[Decimal]
    fyllning: str  # CSS fill: a colour or a pattern url


@dataclass(frozen=True)
class Diagram:
    titel: str
    svg: SafeString
    beskrivning: str = ""  # the text alternative (the SVG's <desc>), for a caption or a test


MÖNSTER = """<defs>
<pattern id="{id}-rand" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="6" height="6" fill="#ffffff"/><rect width="3" height="6" fill="#1f5f8b"/></pattern>
</defs>"""
FYLLNINGAR = ["#1f3b57", "url(#{id}-rand)", "#b9c9d6"]


def stapeldiagram(
    id: str,
    titel: str,
    beskrivning: str,
    kategorier: Sequence[str],
    serier: Sequence[Serie],
    enhet: str,
    decimaler: int,
) -> SafeString:
    alla = [v for s in serier for v in s.värden] or [Decimal(0)]
    lägst, högst = min(Decimal(0), *alla), max(Decimal(0), *alla)
    spann = (högst - lägst) or Decimal(1)
    yta = BREDD - ETIKETT - 60

    def x(v: Decimal) -> float:
        return ETIKETT + float((v - lägst) / spann) * yta

    grupphöjd = RADHÖJD * len(serier) + MELLANRUM
    topp = 30
    höjd = topp + grupphöjd * len(kategorier) + 34
    delar = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {BREDD} {höjd}" width="100%" '
        f'role="img" aria-labelledby="{id}-titel {id}-besk">',
        f'<title id="{id}-titel">{escape(titel)}</title><desc id="{id}-besk">{escape(beskrivning)}</desc>',
        MÖNSTER.format(id=id),
    ]
    # legend
    lx = ETIKETT
    for s in serier:
        fyll = s.fyllning.format(id=id)
        delar.append(f'<rect x="{lx}" y="8" width="12" height="12" fill="{fyll}" stroke="#1f3b57" stroke-width="0.6"/>')
        delar.append(f'<text x="{lx + 16}" y="18" font-size="11">{escape(s.namn)}</text>')
        lx += 24 + 7 * len(s.namn)
    noll = x(Decimal(0))
    for k, namn in enumerate(kategorier):
        y0 = topp + k * grupphöjd
        delar.append(
            f'<text x="{ETIKETT - 6}" y="{y0 + grupphöjd / 2}" font-size="10" text-anchor="end">{escape(namn[:42])}</text>'
        )
        for i, s in enumerate(serier):
            v = s.värden[k]
            x1, x2 = sorted((noll, x(v)))
            y = y0 + i * RADHÖJD
            delar.append(
                f'<rect x="{x1:.1f}" y="{y}" width="{max(x2 - x1, 0.5):.1f}" height="{RADHÖJD - 1}" '
                f'fill="{s.fyllning.format(id=id)}" stroke="#1f3b57" stroke-width="0.4">'
                f"<title>{escape(namn)}, {escape(s.namn)}: {tal(v, decimaler)} {enhet}</title></rect>"
            )
    botten = topp + grupphöjd * len(kategorier)
    for v in skalsteg(lägst, högst):
        delar.append(
            f'<line x1="{x(v):.1f}" y1="{topp - 4}" x2="{x(v):.1f}" y2="{botten}" stroke="#8a96a3" '
            f'stroke-width="0.4" stroke-dasharray="2,2"/>'
        )
        delar.append(f'<text x="{x(v):.1f}" y="{botten + 14}" font-size="10" text-anchor="middle">{tal(v)}</text>')
    delar.append(
        f'<line x1="{noll:.1f}" y1="{topp - 4}" x2="{noll:.1f}" y2="{botten}" stroke="#333" stroke-width="1"/>'
    )
    delar.append(f'<text x="{BREDD - 4}" y="{botten + 26}" font-size="10" text-anchor="end">{escape(enhet)}</text>')
    delar.append("</svg>")
    return Diagram(titel, mark_safe("".join(delar)))  # noqa: S308 - every text is escaped above


def skalsteg(lägst: Decimal, högst: Decimal, antal: int = 5) -> list[Decimal]:
    """Round axis values (1, 2 or 5 × 10^n apart) covering [lägst, högst]."""
    spann = högst - lägst
    if spann <= 0:
        return [Decimal(0)]
    rå = spann / antal
    tiopotens = Decimal(10) ** (len(str(int(rå))) - 1) if rå >= 1 else Decimal(1)
    steg = next(m * tiopotens for m in (1, 2, 5, 10) if m * tiopotens >= rå)
    start = (lägst / steg).to_integral_value(rounding="ROUND_CEILING") * steg
    värden, v = [], start
    while v <= högst:
        värden.append(v)
        v += steg
    return värden


def nettokostnad_per_område(rapport) -> Diagram:
    """Nettokostnad for the period per verksamhetsområde, this year and the same period last year."""
    drift = rapport.delar[-1].drift
    pres = rapport.pres
    rader = drift.rader
    return stapeldiagram(
        "diagram-nettokostnad",
        f"Nettokostnad per verksamhetsområde, {rapport.period_kort}",
        f"Stapeldiagram. Nettokostnad {rapport.period_kort} jämfört med samma period {rapport.år - 1}, "
        f"i {pres.enhet}. Samma siffror finns i tabellen Driftredovisning.",
        [r.namn for r in rader],
        [
            Serie(f"Nettokostnad {rapport.år - 1}", [pres.avrunda(r.jämförelse) for r in rader], FYLLNINGAR[2]),
            Serie(f"Nettokostnad {rapport.år}", [pres.avrunda(r.nettokostnad) for r in rader], FYLLNINGAR[0]),
        ],
        pres.enhet,
        pres.decimaler,
    )


def budget_utfall_prognos(rapport) -> Diagram:
    """Per block: helårsbudget (incl. tillägg och avdrag), utfall for the period and helårsprognos."""
    del_ = rapport.delar[-1]
    pres = rapport.pres
    grupper = list(zip(del_.drift.grupper, del_.helår.grupper, strict=True))
    andra = "Utfall helår" if rapport.är_helår else "Prognos helår"
    return stapeldiagram(
        "diagram-budget",
        f"Budget, utfall och {'utfall helår' if rapport.är_helår else 'prognos'} per område {rapport.år}",
        f"Stapeldiagram per verksamhetsblock i {pres.enhet}: budget helår inklusive tillägg och avdrag, "
        f"utfall {rapport.period_kort} och {andra.lower()}. Samma siffror finns i tabellerna.",
        [g.namn for g, _ in grupper],
        [
            Serie("Budget helår", [pres.avrunda(h.summa.budget_inkl_tillägg) for _, h in grupper], FYLLNINGAR[2]),
            Serie(
                f"Utfall {rapport.period_kort}", [pres.avrunda(g.summa.nettokostnad) for g, _ in grupper], FYLLNINGAR[1]
            ),
            Serie(andra, [pres.avrunda(h.summa.nettokostnad) for _, h in grupper], FYLLNINGAR[0]),
        ],
        pres.enhet,
        pres.decimaler,
    )


# --- cumulative line chart (ackumulerat resultat per månad; added by the ackumulerat section) -----------------

LINJER = [("#1f3b57", ""), ("#1f5f8b", "6,3"), ("#5a6b7b", "2,3"), ("#8a3b12", "8,3,2,3")]


# --- line and grouped bar charts of figures per month --------------------------------------------------------
#
# The small API other sections use (månadsserier, ackumulerat resultat, ekonomiskt bistånd):
#
#     linjediagram(titel, serier, etiketter, enhet, *, beskrivning="", id="", decimaler=None, ackumulerad=False)
#     grupperade_staplar(titel, serier, etiketter, enhet, *, beskrivning="", id="", decimaler=None)
#
# ``serier``: [(namn, [värde or None per etikett])] (None = nothing stored: a gap, never 0); ``etiketter``: the x
# axis ("jan", "feb" …); ``enhet``: on the axis and in every figure's text ("antal", "tkr"); ``decimaler``: None =
# as many as the figures have (at most 2); ``ackumulerad``: plot the running sums (``ackumulera``). ``id``: unique
# in the page ("" = derived from the title and figures). The result is a ``Diagram``: an <svg> with role="img", a
# <title> and a <desc> — ``beskrivning`` followed by every series' figures in words, so a screen reader gets the
# numbers; the section's table beside it stays the source. Sizes are relative (viewBox, width 100 %, no fixed
# pixels): 400 units wide with 12–13-unit text, ≥ 9.6 px at 320 px width and ≈ 20 px across an A4 page. Series
# differ by colour *and* dash pattern and marker (lines) or fill pattern (bars), so they read in black and white.

SMAL = 400  # viewBox width of the month charts
TEXT = 13  # font size in viewBox units (axis texts 12: ≥ 9.6 px at 320 px width)
YTA = 150  # plot height
LINJESTIL = [("#1f3b57", "", "cirkel"), ("#6b7d8e", "6,3", "kvadrat"), ("#1f5f8b", "2,2", "triangel"),
             ("#8a3b12", "8,3,2,3", "romb")]  # fmt: skip


def ackumulera(värden: Sequence[Decimal | None]) -> list[Decimal | None]:
    """Running sums; a month with nothing stored stays None (a gap) and adds nothing to the later sums."""
    summa, ut = Decimal(0), []
    for v in värden:
        if v is None:
            ut.append(None)
        else:
            summa += v
            ut.append(summa)
    return ut


def _siffra(v: Decimal, decimaler: int | None) -> str:
    return värde(v) if decimaler is None else tal(v, decimaler)


def figurtext(
    serier: Sequence[tuple[str, Sequence[Decimal | None]]], etiketter: Sequence[str], enhet: str, decimaler=None
) -> str:
    """Every series' figures in words: "Antal 2024 (antal): jan 12, feb 14. Antal 2023 (antal): inga värden." """
    delar = []
    for namn, värden in serier:
        siffror = [f"{e} {_siffra(v, decimaler)}" for e, v in zip(etiketter, värden, strict=False) if v is not None]
        delar.append(f"{namn} ({enhet}): {', '.join(siffror)}." if siffror else f"{namn}: inga värden.")
    return " ".join(delar)


def _axel(värden: Sequence[Decimal]) -> list[Decimal]:
    """Round ticks from ≤ the least (and 0) to ≥ the greatest value."""
    lägst, högst = min(Decimal(0), *värden), max(Decimal(0), *värden)
    steg_ = skalsteg(lägst, högst, 4)
    if len(steg_) < 2:
        return [Decimal(0), Decimal(1)] if högst <= 0 and lägst >= 0 else [lägst, högst]
    d = steg_[1] - steg_[0]
    while steg_[-1] < högst:
        steg_.append(steg_[-1] + d)
    while steg_[0] > lägst:
        steg_.insert(0, steg_[0] - d)
    return steg_


def _textbredd(text: str, storlek: float = TEXT) -> float:
    return len(text) * storlek * 0.6


class _Ram:
    """The frame shared by the month charts: legend, y axis with ticks, x labels; ``x(i)`` is the centre of band
    ``i`` and ``y(v)`` the height of a value."""

    def __init__(self, id, titel, beskrivning, serier, etiketter, enhet, decimaler, symbol):
        self.id, self.enhet, self.decimaler = id, enhet, decimaler
        alla = [v for _, värden in serier for v in värden if v is not None]
        self.ticks = _axel(alla or [Decimal(0)])
        tick_text = [_siffra(t, decimaler) for t in self.ticks]
        self.vänster = max(_textbredd(t, TEXT - 1) for t in tick_text) + 10
        # legend: as many entries per line as fit
        rader, x, y = [], self.vänster, TEXT + 2
        for nr, (namn, _) in enumerate(serier):
            bredd = 30 + _textbredd(namn[:40])
            if x + bredd > SMAL and x > self.vänster:
                x, y = self.vänster, y + TEXT + 6
            rader.append(
                symbol(nr, x, y) + f'<text x="{x + 26:.1f}" y="{y + 4}" font-size="{TEXT}">{escape(namn[:40])}</text>'
            )
            x += bredd + 8
        self.topp = y + TEXT + 20  # a line for the unit above the axis
        self.höger = max(8.0, _textbredd(etiketter[-1], TEXT - 1) / 2 - 8) if etiketter else 8.0
        self.bredd = SMAL - self.vänster - self.höger
        self.n = max(len(etiketter), 1)
        höjd = self.topp + YTA + TEXT + 14
        self.delar = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {SMAL} {höjd:.0f}" width="100%" '
            f'role="img" aria-labelledby="{id}-titel {id}-besk">',
            f'<title id="{id}-titel">{escape(titel)}</title><desc id="{id}-besk">{escape(beskrivning)}</desc>',
            *rader,
            f'<text x="{self.vänster - 4:.1f}" y="{self.topp - 8}" font-size="{TEXT - 1}">{escape(enhet)}</text>',
        ]
        for t, text in zip(self.ticks, tick_text, strict=True):
            self.delar.append(
                f'<line x1="{self.vänster:.1f}" y1="{self.y(t):.1f}" x2="{SMAL - self.höger:.1f}" y2="{self.y(t):.1f}" '
                f'stroke="{"#333" if t == 0 else "#b5bec7"}" stroke-width="{1 if t == 0 else 0.5}"/>'
                f'<text x="{self.vänster - 5:.1f}" y="{self.y(t) + 4:.1f}" font-size="{TEXT - 1}" '
                f'text-anchor="end">{text}</text>'
            )
        band = self.bredd / self.n
        glesa = max(1, int(-(-max((_textbredd(e, TEXT - 1) for e in etiketter), default=0) // (band - 2))))
        for i, e in enumerate(etiketter):
            if i % glesa == 0:
                self.delar.append(
                    f'<text x="{self.x(i):.1f}" y="{self.topp + YTA + TEXT + 4}" font-size="{TEXT - 1}" '
                    f'text-anchor="middle">{escape(e)}</text>'
                )

    def x(self, i: int) -> float:
        return self.vänster + (i + 0.5) * self.bredd / self.n

    def y(self, v: Decimal) -> float:
        lägst, högst = self.ticks[0], self.ticks[-1]
        return self.topp + float((högst - v) / ((högst - lägst) or 1)) * YTA

    def punkttext(self, namn: str, etikett: str, v: Decimal) -> str:
        return f"<title>{escape(namn)}, {escape(etikett)}: {_siffra(v, self.decimaler)} {escape(self.enhet)}</title>"

    def svg(self) -> SafeString:
        return mark_safe("".join([*self.delar, "</svg>"]))  # noqa: S308 - every text is escaped


def _id(id: str, titel: str, serier) -> str:
    return id or f"diagram-{zlib.crc32(repr((titel, serier)).encode()):08x}"


def _markör(form: str, x: float, y: float, färg: str, inre: str = "") -> str:
    if form == "kvadrat":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#fff" stroke="{färg}" stroke-width="1.5">{inre}</rect>'
    if form == "triangel":
        return (
            f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}" fill="{färg}">'
            f"{inre}</polygon>"
        )
    if form == "romb":
        return (
            f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} {x - 4:.1f},{y:.1f}" '
            f'fill="#fff" stroke="{färg}" stroke-width="1.5">{inre}</polygon>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{färg}">{inre}</circle>'


def linjediagram(
    titel: str,
    serier: Sequence[tuple[str, Sequence[Decimal | None]]],
    etiketter: Sequence[str],
    enhet: str,
    *,
    beskrivning: str = "",
    id: str = "",
    decimaler: int | None = None,
    ackumulerad: bool = False,
) -> Diagram:
    """A line per series over the months (a gap where nothing is stored), each point's figure as its tooltip."""
    if ackumulerad:
        serier = [(namn, ackumulera(värden)) for namn, värden in serier]
    id = _id(id, titel, serier)
    text = f"{beskrivning} {figurtext(serier, etiketter, enhet, decimaler)}".strip()

    def symbol(nr: int, x: float, y: float) -> str:
        färg, streck, form = LINJESTIL[nr % len(LINJESTIL)]
        return (
            f'<line x1="{x:.1f}" y1="{y}" x2="{x + 22:.1f}" y2="{y}" stroke="{färg}" stroke-width="2"'
            + (f' stroke-dasharray="{streck}"' if streck else "")
            + "/>"
            + _markör(form, x + 11, y, färg)
        )

    ram = _Ram(id, titel, text, serier, etiketter, enhet, decimaler, symbol)
    for nr, (namn, värden) in enumerate(serier):
        färg, streck, form = LINJESTIL[nr % len(LINJESTIL)]
        bit: list[str] = []
        for i, v in enumerate([*värden, None]):
            if v is not None:
                bit.append(f"{ram.x(i):.1f},{ram.y(v):.1f}")
            elif bit:
                if len(bit) > 1:
                    ram.delar.append(
                        f'<polyline points="{" ".join(bit)}" fill="none" stroke="{färg}" stroke-width="2"'
                        + (f' stroke-dasharray="{streck}"' if streck else "")
                        + "/>"
                    )
                bit = []
        for i, v in enumerate(värden):
            if v is not None and i < len(etiketter):
                ram.delar.append(_markör(form, ram.x(i), ram.y(v), färg, ram.punkttext(namn, etiketter[i], v)))
    return Diagram(titel, ram.svg(), text)


def grupperade_staplar(
    titel: str,
    serier: Sequence[tuple[str, Sequence[Decimal | None]]],
    etiketter: Sequence[str],
    enhet: str,
    *,
    beskrivning: str = "",
    id: str = "",
    decimaler: int | None = None,
) -> Diagram:
    """Vertical bars per month, one per series side by side (e.g. this year beside last year)."""
    id = _id(id, titel, serier)
    text = f"{beskrivning} {figurtext(serier, etiketter, enhet, decimaler)}".strip()

    def fyll(nr: int) -> str:
        return FYLLNINGAR[nr % len(FYLLNINGAR)].format(id=id)

    def symbol(nr: int, x: float, y: float) -> str:
        return f'<rect x="{x + 4:.1f}" y="{y - 6}" width="14" height="12" fill="{fyll(nr)}" stroke="#1f3b57" stroke-width="0.6"/>'

    ram = _Ram(id, titel, text, serier, etiketter, enhet, decimaler, symbol)
    ram.delar.insert(2, MÖNSTER.format(id=id))
    band = ram.bredd / ram.n
    stapel = band * 0.8 / max(len(serier), 1)
    noll = ram.y(Decimal(0))
    for nr, (namn, värden) in enumerate(serier):
        for i, v in enumerate(värden):
            if v is None or i >= len(etiketter):
                continue
            x = ram.x(i) - band * 0.4 + nr * stapel
            y1, y2 = sorted((noll, ram.y(v)))
            ram.delar.append(
                f'<rect x="{x:.1f}" y="{y1:.1f}" width="{stapel:.1f}" height="{max(y2 - y1, 0.5):.1f}" '
                f'fill="{fyll(nr)}" stroke="#1f3b57" stroke-width="0.4">{ram.punkttext(namn, etiketter[i], v)}</rect>'
            )
    return Diagram(titel, ram.svg(), text)
