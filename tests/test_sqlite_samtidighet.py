"""SQLite, the embedded default: two people saving the same månadsuppföljning at the same moment get one save
and one conflict message — never HTTP 500 "database is locked" (which 11 of 12 rounds gave with deferred
transactions: both read, then neither could upgrade its read lock to write).

The test database of pytest-django is in memory (shared cache, where SQLite's file locking does not apply), so
the test copies it into a file and points this thread and the two worker threads at that file, with the
connection OPTIONS from settings — the ones under test."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from django.urls import reverse

from ekonomi.models import Utfall
from nämnd.models import Kommun, Verksamhetsområde
from tests.conftest import skapa_användare
from tests.ekonomi.test_manadsuppfoljning import formulärdata
from tests.factories import syntetisk_nämnd

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="gäller SQLite (det inbäddade läget)")

VARV = 5
KONFLIKT = "sedan du öppnade sidan. Inget sparades."


def filanslutning(sökväg) -> DatabaseWrapper:
    return DatabaseWrapper({**connections["default"].settings_dict, "NAME": str(sökväg)}, "default")


def samtidigt(fil, klienter, url, poster) -> list:
    """POST ``poster[i]`` with ``klienter[i]`` from two threads released at the same moment, each on its own
    connection to the database file."""
    svar: list = [None] * len(klienter)
    start = threading.Barrier(len(klienter))

    def spara(i: int) -> None:
        connections["default"] = filanslutning(fil)
        try:
            start.wait()
            svar[i] = klienter[i].post(url, poster[i])
        finally:
            connections["default"].close()

    trådar = [threading.Thread(target=spara, args=(i,)) for i in range(len(klienter))]
    for t in trådar:
        t.start()
    for t in trådar:
        t.join(60)
    return svar


@pytest.mark.django_db(transaction=True)
def test_två_samtidiga_sparningar_ger_en_sparning_och_ett_konfliktbesked(tmp_path):
    kommun = Kommun.objects.create(namn="Samby kommun", kommunkod="9941", beloppsenhet="mnkr")
    nämnd = syntetisk_nämnd(kommun, 1, 4, namn="Omsorgsnämnden")
    rad = Verksamhetsområde.objects.filter(nämnd=nämnd, typ="verksamhet").order_by("ordning").first()
    klienter = []
    for namn in ("controller-1", "controller-2"):
        user = skapa_användare(namn, kommun, roll="controller")
        user.behörigheter.get().nämnder.set([nämnd])
        klient = Client(raise_request_exception=False)
        klient.force_login(user)
        klienter.append(klient)
    url = reverse("månadsuppföljning", args=[nämnd.id, 2023, 8])

    fil = tmp_path / "samtidighet.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(fil) as mål:
        connection.connection.backup(mål)
    minnet = connections["default"]
    connections["default"] = filanslutning(fil)
    try:
        for varv in range(VARV):
            data = formulärdata(klienter[0].get(url).content)
            poster = [
                data | {f"r{rad.id}-utfall": f"{varv * 10 + i + 1} 000", "atgard": "spara_anda"} for i in range(2)
            ]
            svar = samtidigt(fil, klienter, url, poster)
            koder = sorted(r.status_code for r in svar)
            texter = [r.content.decode() for r in svar]
            assert not any("database is locked" in t for t in texter), f"varv {varv}: {koder}"
            assert koder == [200, 302], f"varv {varv}: {koder}"
            vinnare = next(i for i, r in enumerate(svar) if r.status_code == 302)
            assert KONFLIKT in texter[1 - vinnare]
            u = Utfall.objects.get(verksamhetsområde=rad, år=2023, månad=8, kostnadsslag__isnull=True, kategori="")
            assert u.belopp == (varv * 10 + vinnare + 1) * 1_000_000  # typed in tkr
    finally:
        connections["default"].close()
        connections["default"] = minnet
