"""The section registry: each kind of report section is one module here that knows its parameters (validated,
with Swedish messages), how it fetches and builds its part of a report, and its template. ``bygg_rapport`` walks a
kommun's layout and asks each kind for its part; the Excel export, granskning and the status page read what the
kinds built (``Rapportsektion.tabeller``, ``.data``). Checks of what a kind prints are registered in the one check
registry (``rapporter.kontroller``) by the kind's module.

Adding a kind: a module with a ``Parametrar`` dataclass and a function decorated with ``@sektionstyp(...)``,
imported at the end of this file, a template under templates/rapporter/sektioner/ and tests
(docs/arkitektur.md, "En ny sektionstyp").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.text import slugify


class Parametrar(Protocol):
    @classmethod
    def från_dict(cls, data: dict, sammanhang: Sammanhang) -> Parametrar: ...

    def som_dict(self) -> dict: ...


@dataclass(frozen=True)
class Sammanhang:
    """What parameters are validated against: the kommun's verksamhetsområden, nämnder and nyckeltal (ids → names)."""

    områden: dict[int, str] = field(default_factory=dict)
    nämnder: dict[int, str] = field(default_factory=dict)
    nyckeltal: dict[int, str] = field(default_factory=dict)  # the kommun's nyckeltal (varav rows too) → names
    kostnadsslag: dict[int, str] = field(default_factory=dict)  # the kommun's kostnadsslag → names
    egentabeller: dict[int, str] = field(default_factory=dict)  # the kommun's own tables → names
    fri: bool = False  # True: ids are not checked (a stored layout read back for a report)

    def valda_nyckeltal(self, värden: Any, fel: list[str]) -> tuple[int, ...]:
        """A section's chosen nyckeltal ids (a list, duplicates dropped); errors in Swedish appended to ``fel``."""
        try:
            if not isinstance(värden or (), list | tuple):
                raise TypeError
            ids = tuple(dict.fromkeys(int(v) for v in värden or ()))
        except (TypeError, ValueError):
            fel.append("Ogiltigt val av nyckeltal.")
            return ()
        if not self.fri and (okända := [i for i in ids if i not in self.nyckeltal]):
            fel.append(f"Okänt nyckeltal: {', '.join(map(str, okända))}. Välj bland kommunens egna.")
        return ids


@dataclass
class Rapportsektion:
    """One section of a built report: its kind, heading and number, and what the kind built for its template."""

    sektion: str
    rubrik: str
    nummer: int
    parametrar: Any = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ankare(self) -> str:
        return f"s{self.nummer}-{slugify(self.rubrik)}"

    @property
    def mall(self) -> str:
        return REGISTER[self.sektion].mall

    @property
    def tabeller(self) -> list:
        """The ``rapporter.tabell.Tabell`` objects the section prints (HTML, PDF and Excel read the same)."""
        return self.data.get("tabeller", [])


@dataclass(frozen=True)
class Sektionstyp:
    kod: str
    namn: str  # shown in the layout page's list of kinds
    beskrivning: str
    mall: str
    parametrar: type
    bygg: Callable[..., None]  # (kontext, sektion) → fills sektion.data
    behöver_ekonomi: bool = False  # reads budget/utfall/prognos (the report's parts get their drift rows)

    def läs(self, data: dict | None, sammanhang: Sammanhang) -> Any:
        """Validated parameters from a stored or posted dict; ValidationError with Swedish messages."""
        return self.parametrar.från_dict(dict(data or {}), sammanhang)


REGISTER: dict[str, Sektionstyp] = {}


def sektionstyp(kod: str, namn: str, beskrivning: str, parametrar: type, behöver_ekonomi: bool = False):
    def registrera(bygg: Callable[..., None]) -> Callable[..., None]:
        REGISTER[kod] = Sektionstyp(
            kod, namn, beskrivning, f"rapporter/sektioner/{kod}.html", parametrar, bygg, behöver_ekonomi
        )
        return bygg

    return registrera


def typ(kod: str) -> Sektionstyp:
    try:
        return REGISTER[kod]
    except KeyError:
        raise ValidationError(f"Okänd sektionstyp: {kod}.") from None


def val() -> list[tuple[str, str]]:
    return [(t.kod, t.namn) for t in REGISTER.values()]


# The kinds register themselves on import (the order is the layout page's order).
from . import text, mal, drift, investeringar, volymer  # noqa: E402, F401, I001
from . import manadsserie  # noqa: E402, F401, I001
from . import kostnadsslag  # noqa: E402, F401, I001
from . import ackumulerat, bistand  # noqa: E402, F401, I001
from . import egentabell  # noqa: E402, F401, I001
from . import sammanfattning  # noqa: E402, F401, I001
