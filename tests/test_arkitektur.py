"""Architecture rules checked on the source: views call no ORM (reads live in selectors, writes in services).

The rule is deliberately simple and strict. In every ``<app>/views*.py`` module (and ``rapporter/texter.py``,
which is a view module under another name):

- any attribute access ``.objects`` is a finding;
- any call of a QuerySet method name (``filter``, ``get``, ``create``, ``count`` …) is a finding, unless the
  receiver chain starts with a name on a small allowlist of obviously non-ORM objects (the request, a form,
  plain dicts of the view). ``request.GET.get(...)`` passes, ``Nämnd.objects.get(...)`` and
  ``nämnd.områden.filter(...)`` do not;
- ``x.get(key)`` / ``x.get(key, default)`` with positional arguments only is a mapping read (``dict.get``,
  a JSON field): the ORM's ``get`` takes its lookups as keywords. ``super().get(...)`` is the parent view;
- a name the module binds to a plain dict (``x = {...}``, a dict comprehension, ``x: dict[...] = ...``) is
  a mapping, so ``x.values()`` passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPAR = [
    "grund",
    "nämnd",
    "uppfoljning",
    "ekonomi",
    "nyckeltal",
    "rapporter",
    "importer",
    "publicering",
    "jobb",
    "inloggning",
    "socialreports",
]

QUERYSET_METODER = frozenset(
    {
        "filter",
        "exclude",
        "get",
        "get_or_create",
        "update_or_create",
        "create",
        "update",
        "delete",
        "values",
        "values_list",
        "annotate",
        "aggregate",
        "order_by",
        "select_related",
        "prefetch_related",
        "exists",
        "count",
        "first",
        "last",
        "bulk_create",
        "bulk_update",
        "all",
        "only",
        "defer",
        "distinct",
        "select_for_update",
    }
)

# Receivers (the first name of the chain) that are never a model, manager or queryset in a view.
TILLÅTNA_MOTTAGARE = frozenset(
    {
        "request",
        "self",
        "form",
        "formulär",
        "data",
        "kwargs",
        "rader",
        "messages",
        "session",
        "cleaned_data",
        "os",
        "dict",
    }
)


def vymoduler() -> list[Path]:
    filer = [p for app in APPAR for p in sorted((ROOT / app).glob("views*.py"))]
    filer += [p for p in [ROOT / "rapporter" / "texter.py"] if p.exists()]
    return filer


def _rotnamn(nod: ast.expr) -> str | None:
    """The first name of an attribute/call/subscript chain (``request`` in ``request.GET.get``)."""
    while True:
        if isinstance(nod, ast.Attribute | ast.Subscript):
            nod = nod.value
        elif isinstance(nod, ast.Call):
            nod = nod.func
        elif isinstance(nod, ast.Name):
            return nod.id
        else:
            return None


def _mappningsläsning(anrop: ast.Call) -> bool:
    return (
        isinstance(anrop.func, ast.Attribute)
        and anrop.func.attr == "get"
        and not anrop.keywords
        and 1 <= len(anrop.args) <= 2
        and not any(isinstance(a, ast.Starred) for a in anrop.args)
    )


def _superanrop(nod: ast.expr) -> bool:
    return isinstance(nod, ast.Call) and isinstance(nod.func, ast.Name) and nod.func.id == "super"


def _dictnamn(träd: ast.AST) -> set[str]:
    """Names the module binds to a plain dict: ``x = {...}``, ``x = {k: v for ...}``, ``x: dict[...] = ...``."""
    namn = set()
    for nod in ast.walk(träd):
        if isinstance(nod, ast.Assign) and isinstance(nod.value, ast.Dict | ast.DictComp):
            namn |= {t.id for t in nod.targets if isinstance(t, ast.Name)}
        elif isinstance(nod, ast.AnnAssign) and isinstance(nod.target, ast.Name):
            typ = nod.annotation.value if isinstance(nod.annotation, ast.Subscript) else nod.annotation
            if isinstance(typ, ast.Name) and typ.id == "dict":
                namn.add(nod.target.id)
    return namn


def orm_anrop(källa: str, filnamn: str = "<vy>") -> list[str]:
    """Findings as ``line: text`` for one module's source."""
    träd = ast.parse(källa, filnamn)
    mottagare = TILLÅTNA_MOTTAGARE | _dictnamn(träd)
    fynd: list[tuple[int, int, str]] = []
    for nod in ast.walk(träd):
        if isinstance(nod, ast.Attribute) and nod.attr == "objects":
            fynd.append((nod.lineno, nod.col_offset, f"{nod.lineno}: {ast.unparse(nod)}"))
        elif (
            isinstance(nod, ast.Call)
            and isinstance(nod.func, ast.Attribute)
            and nod.func.attr in QUERYSET_METODER
            and _rotnamn(nod.func.value) not in mottagare
            and not _mappningsläsning(nod)
            and not _superanrop(nod.func.value)
        ):
            fynd.append((nod.lineno, nod.col_offset, f"{nod.lineno}: {ast.unparse(nod.func)}(…)"))
    return [text for *_, text in sorted(fynd)]


def test_regeln_hittar_orm_anrop():
    """The checker itself: flags managers and queryset methods, lets request/form/dict reads pass."""
    källa = (
        "def vy(request, nämnd):\n"
        "    a = Nämnd.objects.get(id=1)\n"
        "    b = nämnd.områden.filter(aktiv=True)\n"
        "    c = Utfall.objects\n"
        "    d = sel.rader(nämnd).count()\n"
        "    e = request.GET.get('vy')\n"
        "    f = form.cleaned_data.get('x')\n"
        "    g = request.session.get('k')\n"
        "    h = messages.success(request, 'ok')\n"
        "    i = sel.månader(request.user, nämnd)\n"
        "    j = summor.get(m, 0)\n"
        "    k = nämnd.områden.get(pk=3)\n"
        "    n = super().get(request)\n"
        "    per: dict[int, list] = {}\n"
        "    p = [v for v in per.values()]\n"
        "    q = [v for v in rader_qs.values('id')]\n"
    )
    fynd = orm_anrop(källa)
    assert [f.split(":")[0] for f in fynd] == ["2", "2", "3", "4", "5", "12", "16"]


def test_vymodulerna_finns():
    namn = {str(p.relative_to(ROOT)) for p in vymoduler()}
    assert {
        "ekonomi/views.py",
        "nyckeltal/views.py",
        "rapporter/views.py",
        "importer/views_utfall.py",
        "importer/views_mallar.py",
        "publicering/views.py",
        "inloggning/views.py",
        "jobb/views.py",
        "rapporter/texter.py",
    } <= namn


@pytest.mark.parametrize("fil", vymoduler(), ids=lambda p: str(p.relative_to(ROOT)))
def test_vyer_anropar_inte_orm(fil: Path):
    fynd = orm_anrop(fil.read_text(encoding="utf-8"), str(fil))
    assert not fynd, (
        f"{fil.relative_to(ROOT)} anropar ORM:en direkt (läsningar hör hemma i selectors.py, skrivningar i "
        f"services.py):\n  " + "\n  ".join(fynd)
    )
