"""Volymer och nyckeltal: earlier years' utfall, mål/plan, the period's utfall and prognos per nyckeltal. With
``visning="plan"`` (the verksamhetsplan preset, rapporter/forval.py) the three years a plan is written across:
utfall the year before last, prognos for the current year and the plan for the plan's year."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from nyckeltal import selectors as nyckeltal_sel

from . import Rapportsektion, Sammanhang, sektionstyp
from .kontext import Byggkontext

VISNINGAR = {
    "": "Efter rapporttyp: utfall tidigare år, mål, periodens utfall och prognos",
    "plan": "Plan: utfall förrförra året, prognos i år och plan för planåret",
}


@dataclass(frozen=True)
class Parametrar:
    visning: str = ""  # a key of VISNINGAR (not "kolumner": drift's list of measures has that name)

    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Parametrar:
        visning = data.get("visning") or ""
        if visning not in VISNINGAR:
            raise ValidationError(f"Okänt val av kolumner för volymer: {visning!r}.")
        return cls(visning)

    def som_dict(self) -> dict:
        return {"visning": self.visning} if self.visning else {}


def plankolumner(år: int) -> list[nyckeltal_sel.Volymkolumn]:
    """A plan for ``år`` is written during ``år`` − 1: that year's prognos, the last whole year's utfall."""
    return [
        nyckeltal_sel.Volymkolumn(f"Utfall {år - 2}", "utfall_helår", år - 2),
        nyckeltal_sel.Volymkolumn(f"Prognos {år - 1}", "prognos", år - 1),
        nyckeltal_sel.Volymkolumn(f"Plan {år}", "mål", år),
    ]


@sektionstyp(
    "volymer",
    "Volymer och nyckeltal",
    "Nyckeltalen per område: utfall tidigare år, mål, periodens utfall och prognos (eller, för en plan, utfall, "
    "prognos och plan).",
    Parametrar,
)
def bygg(k: Byggkontext, s: Rapportsektion) -> None:
    r = k.rapport
    if s.parametrar is not None and s.parametrar.visning == "plan":
        s.data["kolumner"] = plankolumner(r.år)
    else:
        s.data["kolumner"] = nyckeltal_sel.volymkolumner(r.år, r.typ, k.period.t_o_m)
    s.data["grupper"] = k.nyckeltal(r.delar_nämnder).grupper
