"""The Kolada comparison as shown: per indikator its table (kommunen, the peer group's mean, riket over four years)
and a small line chart (``diagram.linjediagram``), the same in the report's mål section (HTML and PDF) and on the
indikator's comparison page."""

from __future__ import annotations

from dataclasses import dataclass

from nyckeltal.jamforelse import Jämförelse

from .diagram import Diagram, linjediagram


@dataclass(frozen=True)
class Jämförelsevy:
    j: Jämförelse
    diagram: Diagram


def vy(j: Jämförelse) -> Jämförelsevy:
    titel = f"{j.namn}: jämförelse med {j.grupp or 'riket'}"
    beskrivning = (
        f"{j.namn} ({j.kpi}) {j.år[0]}–{j.år[-1]} för kommunen, {j.grupp or 'ingen jämförelsegrupp'} och riket."
    )
    return Jämförelsevy(
        j,
        linjediagram(
            titel,
            [(r.namn, list(r.värden)) for r in j.rader],
            [str(å) for å in j.år],
            j.enhet,
            beskrivning=beskrivning,
            id=f"kolada-{j.indikator_id}",
        ),
    )
