"""Django's ``{# … #}`` comment is one line only: a comment over several lines is printed as text in the page and
the PDF (it happened in a report section). Templates use ``{% comment %}`` for longer ones."""

from __future__ import annotations

import re
from pathlib import Path

MALLAR = Path(__file__).resolve().parents[1] / "templates"


def test_ingen_mall_har_en_kommentar_över_flera_rader():
    fel = [
        f"{p.relative_to(MALLAR)}:{i}"
        for p in sorted(MALLAR.rglob("*.html"))
        for i, rad in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\{#(?!.*#\})", rad)
    ]
    assert not fel, fel
