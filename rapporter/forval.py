"""Layout presets a kommun starts from (the layout page offers them; a kommun then edits its own copy).

A preset is plain data in the layout file format (``rapporter.layoutfil``): per report type, a list of sections
``{"typ", "rubrik", "parametrar"}``. ``STANDARD`` is also what a kommun without a layout of its own gets.
Nothing here is any one kommun's: the presets are the common shapes of published socialnämnd reports
(docs/layouter.md).
"""

from __future__ import annotations

from nämnd.models import Rapporttyp


def _s(typ: str, rubrik: str, **parametrar) -> dict:
    return {"typ": typ, "rubrik": rubrik, "parametrar": parametrar}


def _k(*koder: str) -> list[dict]:
    return [{"mått": k, "rubrik": ""} for k in koder]


PERIOD = _k("utfall_fg", "kf_budget", "tillägg", "utfall", "avvikelse")
HELÅR = _k("utfall_helår_fg", "kf_budget_helår", "tillägg_helår", "prognos", "avvikelse_helår", "prognosförändring")
BUDGET = _k("budget_fg", "kf_budget_helår", "nämndbudget_helår")
ALLA_RADER = {"dölj_tomma": False}


SAMMANFATTNING = {"typ": "sammanfattning", "rubrik": "Sammanfattning", "parametrar": {}}


def _uppföljning(drift_rubrik: str = "Driftredovisning") -> list[dict]:
    return [
        _s("mål", "Mål, uppdrag och indikatorer"),
        _s("drift", drift_rubrik, id="drift", kolumner=PERIOD, diagram="nettokostnad", rader=ALLA_RADER),
        _s(
            "drift",
            "Helårsprognos",
            id="helar",
            kolumner=HELÅR,
            tabellrubrik="{rubrik} {år}",
            diagram="prognos",
            kommentarer=True,
            sammanställning=False,
            rader=ALLA_RADER,
        ),
        _s("investeringar", "Investeringar"),
        _s("volymer", "Volymer och nyckeltal"),
    ]


def _plan() -> list[dict]:
    return [
        _s("mål", "Mål, uppdrag och indikatorer"),
        _s("drift", "Driftsbudget", id="budget", kolumner=BUDGET, sammanställning=False, rader=ALLA_RADER),
        _s("volymer", "Volymer och nyckeltal", visning="plan"),  # utfall, prognos and plan
        _s("investeringar", "Investeringar"),
    ]


def _per_typ(uppföljning: list[dict], plan: list[dict]) -> dict[str, list[dict]]:
    """Every preset starts with the sammanfattning (stored layouts are not changed: a kommun adds it itself)."""
    return {t: [SAMMANFATTNING, *(plan if t == Rapporttyp.VERKSAMHETSPLAN else uppföljning)] for t in Rapporttyp.values}


# Per enhet: period and helår side by side in one table per område level, and the enheter with a result row
# per verksamhet.
PER_ENHET_KOLUMNER = _k("utfall", "budget", "avvikelse", "budget_helår", "prognos", "avvikelse_helår")
_per_enhet = [
    _s("mål", "Mål och måluppfyllelse"),
    _s("drift", "Ekonomiskt resultat per verksamhet", id="drift", kolumner=PER_ENHET_KOLUMNER, sammanställning=True),
    _s(
        "drift",
        "Ekonomiskt resultat per enhet",
        id="enheter",
        kolumner=PER_ENHET_KOLUMNER,
        rader={"ned_till": "enhet", "delsummor": ["block", "verksamhet"], "delsumma_etikett": "Resultat {namn}"},
        sammanställning=False,
        kommentarer=True,
    ),
    _s("investeringar", "Investeringar"),
    _s("volymer", "Volymer"),
]

# Budget kinds: anslag, volym and egen regi, in mnkr with one decimal, costs negative while investments and
# budget changes stay positive; avvikelse in kronor and per cent, and last year's utfall.
BUDGETKATEGORI_KOLUMNER = _k(
    "utfall_fg", "budget", "utfall", "avvikelse", "avvikelse_procent", "prognos", "avvikelse_helår"
)
_budgetkategori = [
    _s("mål", "Mål"),
    _s(
        "drift",
        "Driftredovisning per budgetkategori",
        id="kategori",
        kolumner=BUDGETKATEGORI_KOLUMNER,
        rader={"gruppering": "budgetkategori", "delsumma_etikett": "Summa {namn}"},
        enhet="mnkr",
        decimaler=1,
        negativa=["kostnad"],
        kommentarer=True,
    ),
    _s("investeringar", "Investeringar", enhet="mnkr", decimaler=1, negativa=[]),
    _s("volymer", "Volymer"),
]

# Volume-funded verksamheter: volym, plan, snittkostnad, volym × peng and the deviation against plan.
_volym = [
    *_uppföljning(),
    _s(
        "drift",
        "Volym och snittkostnad",
        id="volym",
        kolumner=_k(
            "utfall", "volym", "plan_volym", "volymavvikelse", "snittkostnad", "volym_peng", "volym_peng_avvikelse"
        ),
        sammanställning=False,
    ),
]

FÖRVAL: dict[str, tuple[str, str, dict[str, list[dict]]]] = {
    "standard": (
        "Per verksamhetsområde",
        "Driftredovisning för perioden och helårsprognos per verksamhetsområde, block med delsummor, i kommunens "
        "enhet.",
        _per_typ(_uppföljning(), _plan()),
    ),
    "per_enhet": (
        "Per enhet",
        "Utfall, budget och avvikelse för perioden bredvid budget, prognos och avvikelse för helåret; en tabell per "
        "verksamhet och en med enheterna och ett resultat per verksamhet.",
        _per_typ(_per_enhet, _plan()),
    ),
    "budgetkategori": (
        "Per budgetkategori",
        "Anslag, volym och egen regi var för sig i mnkr med en decimal, kostnader negativa, investeringar och "
        "budgetändringar positiva; avvikelse i kronor och procent.",
        _per_typ(_budgetkategori, _plan()),
    ),
    "volym": (
        "Med volym och snittkostnad",
        "Som per verksamhetsområde, och en tabell med volym, plan, snittkostnad och volym × peng.",
        _per_typ(_volym, _plan()),
    ),
}
STANDARD = "standard"


def sektioner(förval: str, rapporttyp: str) -> list[dict]:
    return [dict(s) for s in FÖRVAL[förval][2][rapporttyp]]
