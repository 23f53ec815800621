"""django-tables2 tables for the per-nämnd overview page (flat lists; the reports group and subtotal)."""

from __future__ import annotations

import django_tables2 as tables

from grund.format import STRECK

from . import format as fmt


class BeloppKolumn(tables.Column):
    """A kronor amount shown in the kommun's unit; ``kostnad=False`` for avvikelser (never sign-flipped).
    No value (None) shows "–", never 0."""

    def __init__(self, *args, kostnad: bool = True, **kwargs):
        self.kostnad = kostnad
        kwargs.setdefault("attrs", {"td": {"class": "tal"}, "th": {"class": "tal"}})
        kwargs.setdefault("default", STRECK)
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        return table.pres.kostnad(value) if self.kostnad else table.pres.avvikelse(value)


class PresentationTable(tables.Table):
    def __init__(self, *args, pres: fmt.Presentation, **kwargs):
        self.pres = pres
        super().__init__(*args, **kwargs)


class DriftTabell(PresentationTable):
    """The overview's driftredovisning: the period's columns name their months ("Budget jan–maj 2024", last year
    "Nettokostnad jan–maj 2023"); ``period`` is "" when the year has no utfall, and then only the helår columns
    are shown."""

    namn = tables.Column("Verksamhetsområde")

    class Meta:
        orderable = False
        attrs = {"class": "tabell", "id": "drift"}

    def __init__(self, data, *, pres: fmt.Presentation, år: int, period: str, **kwargs):
        kolumner = []
        if period:
            kolumner += [
                ("jämförelse", BeloppKolumn(f"Nettokostnad {period} {år - 1}")),
                ("budget", BeloppKolumn(f"Budget {period} {år}")),
                ("tillägg", BeloppKolumn(f"Tillägg och avdrag {period} {år}", kostnad=False)),
                ("nettokostnad", BeloppKolumn(f"Nettokostnad {period} {år}")),
                ("avvikelse", BeloppKolumn(f"Budgetavvikelse {period} {år}", kostnad=False)),
            ]
        kolumner += [
            ("budget_helår", BeloppKolumn(f"Budget helår {år} inkl. tillägg och avdrag")),
            ("prognos", BeloppKolumn(f"Helårsprognos {år}")),
            ("prognosavvikelse", BeloppKolumn(f"Avvikelse mot helårsprognos {år}", kostnad=False)),
        ]
        super().__init__(data, pres=pres, extra_columns=kolumner, **kwargs)


class VärdeKolumn(tables.Column):
    attrs = {"td": {"class": "tal"}, "th": {"class": "tal"}}

    def render(self, value):
        return fmt.värde(value)


class VolymTabell(tables.Table):
    grupp = tables.Column("Område")
    namn = tables.Column("Nyckeltal")
    enhet = tables.Column("Enhet")

    class Meta:
        orderable = False
        attrs = {"class": "tabell"}

    def __init__(self, data, kolumner, **kwargs):
        extra = [(f"k{i}", VärdeKolumn(k.rubrik, accessor=f"k{i}", default=None)) for i, k in enumerate(kolumner)]
        super().__init__(data, extra_columns=extra, **kwargs)


class IndikatorTabell(tables.Table):
    mål = tables.Column("Mål")
    namn = tables.Column("Indikator")
    kolada_id = tables.Column("Kolada-id")
    senaste_år = tables.Column("År")
    senaste = VärdeKolumn("Senaste utfall")
    målvärde = tables.Column("Målvärde")
    bedömning = tables.Column("Bedömning")

    class Meta:
        orderable = False
        attrs = {"class": "tabell"}
