"""Where the month grid gets each verksamhetsområde's actual volume (for the variance split and its drafted comment).

Volumes are nyckeltal, a layer above ekonomi, so ekonomi cannot read them itself: the nyckeltal app registers its
reader here when it loads (``NyckeltalConfig.ready``), and ekonomi asks through ``volymer``. Without a registered
reader (ekonomi on its own) there are no volumes and the grid drafts comments without a split."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nämnd.models import Nämnd


@dataclass(frozen=True)
class Volym:
    värde: Decimal  # months 1..t_o_m
    enhet: str  # the nyckeltal's unit ("vårddygn", "timmar", …); "" when the linked series differ


Volymläsare = Callable[[Any, Nämnd, int, int], dict[int, Volym]]
_läsare: list[Volymläsare] = []


def registrera(läsare: Volymläsare) -> None:
    """Set the reader of volumes (one: registering again replaces it)."""
    _läsare[:] = [läsare]


def volymer(user, nämnd: Nämnd, år: int, t_o_m: int) -> dict[int, Volym]:
    """verksamhetsområde → its actual volume for months 1..``t_o_m`` of ``år``, as the user may read it."""
    return _läsare[0](user, nämnd, år, t_o_m) if _läsare else {}
