"""A drafted comment on a budgetavvikelse, in Swedish, from the figures alone: rule-based templates chosen by the
deviation's sign, which effect of the volume split (``berakning.Volymdelning``) dominates and the volume's unit
(the linked nyckeltal's). Pure: no ORM, no network. The controller accepts or edits the draft in the month grid;
nothing is saved without them (docs/beslut.md, "Avvikelse: volym- och priseffekt, kommentarsförslag")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from grund.format import NBSP, STRECK, procent, tal, värde

from .berakning import NOLL, Månadsrad, Volymdelning, avrunda

# A nyckeltal's unit (nyckeltal.Nyckeltal.Enhet) → (plural after "fler/färre", singular after "per"). Units that
# name no countable thing ("antal", anything else) speak of "volymen" and "enhet".
ENHETSORD: dict[str, tuple[str, str]] = {
    "vårddygn": ("vårddygn", "vårddygn"),
    "timmar": ("timmar", "timme"),
    "antal brukare": ("brukare", "brukare"),
    "årsplatser": ("årsplatser", "årsplats"),
    "ärenden": ("ärenden", "ärende"),
}
BELOPPSENHETER = {"tkr": (Decimal(1000), 0), "mnkr": (Decimal(1_000_000), 1)}


def _enhet(enhet: str) -> tuple[Decimal, int]:
    return BELOPPSENHETER.get(enhet, BELOPPSENHETER["tkr"])


def belopp(kr: Decimal, enhet: str = "tkr", tecken: bool = False) -> str:
    """Kronor in the kommun's unit: "1,2 mnkr", "−350 tkr"; ``tecken``: "+" before a positive amount."""
    delare, decimaler = _enhet(enhet)
    avrundat = avrunda(kr, delare, decimaler)
    return f"{'+' if tecken and avrundat > 0 else ''}{tal(avrundat, decimaler)}{NBSP}{enhet}"


def _per_månad(skillnad: Decimal, månader: int) -> str:
    """The volume's difference per month with its sign: "+12", "−2,5"."""
    v = (skillnad / max(månader, 1)).quantize(Decimal("0.1"))
    return ("+" if v > 0 else "") + värde(v)


def _volymdel(d: Volymdelning, månader: int, enhet: str, beloppsenhet: str) -> tuple[str, str]:
    """The volume's part as (noun phrase after "beror främst på", clause after "medan"/"och")."""
    flertal, _ = ENHETSORD.get(enhet, ("", ""))
    skillnad = d.volym - d.plan_volym
    effekt = belopp(d.volymeffekt, beloppsenhet, tecken=True)
    if skillnad == 0:
        return "volymen", "volymen är som budgeterat"
    mer = skillnad > 0
    per_månad = (
        f"{_per_månad(skillnad, månader)}{NBSP}{flertal}/månad" if flertal else f"{_per_månad(skillnad, månader)}/månad"
    )
    inom = f"({per_månad}, {effekt})"
    if flertal:
        ord_ = "fler" if mer else "färre"
        return f"{ord_} {flertal} än budgeterat {inom}", f"det är {ord_} {flertal} än budgeterat {inom}"
    ord_ = "högre" if mer else "lägre"
    return f"en {ord_} volym än budgeterat {inom}", f"volymen är {ord_} än budgeterat {inom}"


def _prisdel(d: Volymdelning, enhet: str, beloppsenhet: str) -> tuple[str, str]:
    """The price's part as (noun phrase, clause)."""
    _, ental = ENHETSORD.get(enhet, ("", "enhet"))
    effekt = belopp(d.priseffekt, beloppsenhet, tecken=True)
    ändring = d.prisändring_procent
    if ändring is None:  # no volume at all: the whole nettokostnad has no unit to be spread on
        sats = f"nettokostnaden saknar registrerad volym ({effekt})"
        return f"att {sats}", sats
    avrundad = ändring.quantize(Decimal(1))
    if avrundad == 0:
        sats = f"kostnaden per {ental} är i nivå med budget ({effekt})"
    else:
        riktning = "högre" if avrundad > 0 else "lägre"
        sats = f"kostnaden per {ental} är {procent(abs(avrundad), 0)} {riktning} än budgeterat ({effekt})"
    return f"att {sats}", sats


def kommentarsförslag(
    avvikelse: Decimal,
    delning: Volymdelning | None = None,
    månader: int = 12,
    volymenhet: str = "",
    beloppsenhet: str = "tkr",
) -> str:
    """A drafted comment on a period's budgetavvikelse (kronor, positive = under budget) through month ``månader``.

    With a volume split: the effect that works in the deviation's direction and is the larger says what the
    deviation "främst" depends on; the other effect follows ("medan" when it pulls the other way, "och" when the
    same), and the budget that does not follow the volume is named when it is not 0 in the kommun's unit. Without
    one: how much higher or lower the nettokostnad is than the period budget."""
    if avrunda(avvikelse, *_enhet(beloppsenhet)) == 0:
        return "Nettokostnaden är i nivå med periodbudgeten."
    if delning is None:
        riktning = "lägre" if avvikelse > 0 else "högre"
        return f"Nettokostnaden är {belopp(abs(avvikelse), beloppsenhet)} {riktning} än periodbudgeten."
    ämne = "Överskottet" if avvikelse > 0 else "Underskottet"
    ämne = f"{ämne} på {belopp(abs(avvikelse), beloppsenhet)}"
    volym, pris = _volymdel(delning, månader, volymenhet, beloppsenhet), _prisdel(delning, volymenhet, beloppsenhet)
    effekter = [(delning.volymeffekt, volym, pris), (delning.priseffekt, pris, volym)]
    medsols = [e for e in effekter if e[0] * avvikelse > 0]  # the effects that work in the deviation's direction
    rest = delning.rest
    if medsols:
        _, huvud, övrig = max(medsols, key=lambda e: abs(e[0]))
        annan = delning.priseffekt if huvud is volym else delning.volymeffekt
        bindeord = "och" if annan * avvikelse > 0 else "medan"
        text = f"{ämne} beror främst på {huvud[0]}, {bindeord} {övrig[1]}."
    else:
        tillsammans = belopp(delning.volymeffekt + delning.priseffekt, beloppsenhet, tecken=True)
        return (
            f"{ämne} beror på budget som inte följer volymen ({belopp(rest, beloppsenhet, tecken=True)}); volym och "
            f"kostnad per {ENHETSORD.get(volymenhet, ('', 'enhet'))[1]} ger tillsammans {tillsammans}."
        )
    if avrunda(rest, *_enhet(beloppsenhet)) != NOLL:
        text += f" Budget som inte följer volymen: {belopp(rest, beloppsenhet, tecken=True)}."
    return text


# --- the month grid ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Radförslag:
    """What the month grid shows of one row's deviation: the split (when the row has volume and a volume budget)
    as label/value pairs, and the drafted comment when the deviation is over the kommun's limit and the row has no
    comment ("" otherwise)."""

    delning: Volymdelning | None
    detaljer: tuple[tuple[str, str], ...] = ()
    text: str = ""


def radförslag(
    r: Månadsrad,
    månad: int,
    volym: Decimal | None = None,
    volymenhet: str = "",
    beloppsenhet: str = "tkr",
    över_gräns: bool = False,
) -> Radförslag:
    """The grid row ``r``'s split and draft through ``månad``; ``över_gräns``: the period's deviation reaches the
    kommun's limit (``berakning.över_gräns``, as the grid marks it and the checks demand a comment)."""
    d = r.volymdelning(volym)
    detaljer: tuple[tuple[str, str], ...] = ()
    if d is not None:
        flertal, ental = ENHETSORD.get(volymenhet, ("", "enhet"))
        mått = f"{NBSP}{flertal}" if flertal else ""
        styck = f"{tal(d.styckkostnad)}{NBSP}kr" if d.styckkostnad is not None else STRECK
        detaljer = (
            ("Volym", f"{värde(d.volym)}{mått} mot budgeterat {värde(d.plan_volym)}"),
            (f"Kostnad per {ental}", f"{styck} mot budgeterat {tal(d.peng)}{NBSP}kr"),
            ("Volymeffekt", belopp(d.volymeffekt, beloppsenhet, tecken=True)),
            ("Priseffekt", belopp(d.priseffekt, beloppsenhet, tecken=True)),
            ("Budget som inte följer volymen", belopp(d.rest, beloppsenhet, tecken=True)),
        )
    text = (
        kommentarsförslag(r.avvikelse, d, månad, volymenhet, beloppsenhet)
        if över_gräns and not r.kommentar.strip()
        else ""
    )
    return Radförslag(d, detaljer, text)
