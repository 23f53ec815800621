"""Server-side SVG charts: the same markup is shown in the HTML page and embedded in the PDF.

Charts are horizontal grouped bars (long Swedish labels fit on the left). Series differ by fill *and*
pattern so they read in black and white; each chart has a title, a text description and sits next to a
table with the same figures (the section's own table).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .format import tal

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
