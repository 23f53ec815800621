"""Backups: bin/backup dumps the database, bin/restore puts it into a new, empty database, and every figure
is there. PostgreSQL pass only (pg_dump/pg_restore come with the postgresql package in CI)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from ekonomi.models import Prognos, Utfall
from nyckeltal.models import Indikatorvärde, Nyckeltalsvärde
from nämnd.models import Nämnd
from rapporter.models import Textavsnitt
from tests import factories
from tests.factories import syntetisk_nämnd

ROT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.timeout(300),  # pg_dump + pg_restore of two kommuner on a busy CI machine
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are of the PostgreSQL database"),
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")),
        reason="pg_dump/pg_restore/psql not installed",
    ),
]

# Tables whose figures a report is built from: (table, summed columns).
SIFFERTABELLER = {
    "ekonomi_utfall": ["belopp"],
    "ekonomi_budgetpost": ["belopp"],
    "ekonomi_prognos": ["belopp"],
    "nyckeltal_nyckeltalsvärde": ["värde"],
    "nyckeltal_indikatorvärde": ["totalt", "kvinnor", "män"],
    "rapporter_textavsnitt": [],
}
HISTORIKTABELLER = [
    "ekonomi_historicalutfall",
    "ekonomi_historicalbudgetpost",
    "ekonomi_historicalprognos",
    "nyckeltal_historicalnyckeltalsvärde",
    "nyckeltal_historicalindikatorvärde",
    "rapporter_historicaltextavsnitt",
]


def url_för(settings_dict: dict, namn: str) -> str:
    användare = quote(settings_dict["USER"] or "", safe="")
    lösenord = quote(settings_dict["PASSWORD"] or "", safe="")
    värd = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{användare}:{lösenord}@{värd}:{port}/{namn}"


def libpq(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def fingeravtryck(url: str) -> dict[str, tuple]:
    """Per table: row count, sums of the figure columns, and a hash of every row's full content."""
    with psycopg.connect(libpq(url), autocommit=True) as c:
        tabeller = [
            r[0]
            for r in c.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        resultat = {}
        for t in tabeller:
            summor = SIFFERTABELLER.get(t, [])
            uttryck = ", ".join(
                [f'sum("{k}")' for k in summor] + ["count(*)", "md5(string_agg(x::text, '|' ORDER BY x::text))"]
            )
            resultat[t] = tuple(c.execute(f'SELECT {uttryck} FROM "{t}" AS x').fetchone())  # noqa: S608 - fixed table list
        return resultat


@pytest.fixture
def återställd_databas():
    """A name for the restored database; dropped afterwards whatever happens. Leftovers of an earlier run of
    this test database that was killed before its teardown (same prefix, nobody connected) go first."""
    prefix = f"{connection.settings_dict['NAME']}_aterst_"
    namn = f"{prefix}{uuid.uuid4().hex[:8]}"
    källa = libpq(url_för(connection.settings_dict, connection.settings_dict["NAME"]))
    with psycopg.connect(källa, autocommit=True) as c:
        for (gammal,) in c.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (prefix,)
        ).fetchall():
            with contextlib.suppress(psycopg.errors.ObjectInUse):
                c.execute(f'DROP DATABASE IF EXISTS "{gammal}"')
    yield namn
    with psycopg.connect(källa, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{namn}" WITH (FORCE)')


def test_dump_återställs_i_tom_databas_med_varje_siffra(transactional_db, tmp_path, återställd_databas):
    # Committed data (transactional_db): a kommun of another shape than the demo (three nämnder over the year)
    # with its users, plus a larger synthetic nämnd, and one change per figure table through a normal save, so
    # that every history table has rows too.
    byggd = factories.annan_form_kommun()
    kommun = byggd.kommun
    factories.admin(kommun, "admin")
    factories.controller(kommun, "controller", nämnder=[byggd.nämnd])
    factories.läsare(kommun, "lasare")
    syntetisk_nämnd(kommun, 3, 5)
    for model, fält in (
        (Prognos, "belopp"),
        (Utfall, "belopp"),
        (Nyckeltalsvärde, "värde"),
        (Indikatorvärde, "totalt"),
    ):
        o = model.objects.filter(**{f"{fält}__isnull": False}).order_by("pk").first()
        setattr(o, fält, getattr(o, fält) + 1)
        o.save()
    t = Textavsnitt.objects.order_by("pk").first()
    t.text += " Ändrad."
    t.save()
    assert Utfall.objects.count() > 0 and Nämnd.objects.count() == 4

    källa = url_för(connection.settings_dict, connection.settings_dict["NAME"])
    mål = url_för(connection.settings_dict, återställd_databas)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({"DATABASE_URL": källa + "?conn_max_age=60", "BACKUP_KEEP_DAYS": "0"})

    dump = subprocess.run(
        [str(ROT / "bin" / "backup"), str(tmp_path)], env=env, cwd=ROT, capture_output=True, text=True, timeout=300
    )
    assert dump.returncode == 0, dump.stderr
    fil = Path(dump.stdout.strip().splitlines()[-1])
    assert fil.is_file() and fil.suffix == ".dump" and not list(tmp_path.glob("*.partial"))
    assert oct(fil.stat().st_mode & 0o777) == "0o600"

    återst = subprocess.run(
        [str(ROT / "bin" / "restore"), "--create", str(fil), mål],
        env=env,
        cwd=ROT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert återst.returncode == 0, återst.stderr

    före, efter = fingeravtryck(källa), fingeravtryck(mål)
    assert set(före) == set(efter)
    for tabell in [*SIFFERTABELLER, *HISTORIKTABELLER]:
        assert före[tabell][-2] > 0, f"{tabell} is empty in the source: the test would prove nothing"
    skillnader = {t: (före[t], efter[t]) for t in före if före[t] != efter[t]}
    assert not skillnader

    # A second restore into the now non-empty database is refused and changes nothing.
    igen = subprocess.run(
        [str(ROT / "bin" / "restore"), str(fil), mål], env=env, cwd=ROT, capture_output=True, text=True, timeout=300
    )
    assert igen.returncode == 1 and "empty database" in igen.stderr
    assert fingeravtryck(mål) == efter
