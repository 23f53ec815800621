"""The nyckeltal app's volume reader for the month grid (registered in ``ekonomi.volymkalla`` by
``NyckeltalConfig.ready``): each verksamhetsområde's volume for months 1..t_o_m as the report's volume columns
count it (``selectors.nyckeltalsdata_ur``), with the linked nyckeltal's unit. Two queries."""

from __future__ import annotations

from ekonomi.volymkalla import Volym
from nämnd.models import Nämnd

from .selectors import nyckeltalsdata_ur, nyckeltalsläsning


def volymer(user, nämnd: Nämnd, år: int, t_o_m: int) -> dict[int, Volym]:
    läst = nyckeltalsläsning(user, nämnd.kommun_id, år)
    enheter: dict[int, set[str]] = {}
    for n in läst.nyckeltal:
        if n.nämnd_id == nämnd.id and n.verksamhetsområde_id is not None and n.förälder_id is None:
            enheter.setdefault(n.verksamhetsområde_id, set()).add(n.enhet)
    per_område = nyckeltalsdata_ur(läst, {nämnd.id}, t_o_m).volym_per_område
    return {
        vo: Volym(v, next(iter(enheter[vo])) if len(enheter.get(vo, ())) == 1 else "") for vo, v in per_område.items()
    }
