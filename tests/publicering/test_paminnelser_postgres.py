"""PostgreSQL pass: two reminder runs at the same time send one e-mail (the unique record, not luck)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections

from publicering import paminnelser, services, tidplan
from publicering.models import Påminnelse
from tests.factories import ÅR, admin, annan_form_kommun, controller

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_två_samtidiga_körningar_skickar_ett_mejl():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks on the unique index)")
    b = annan_form_kommun()
    nämnd = b.nämnder["Omsorgsnämnden"]
    ansvarig = controller(b.kommun, "karin", nämnder=[nämnd])
    ansvarig.email = "karin@ekeby.example"
    ansvarig.save()
    ärende = services.ärende_för(nämnd, ÅR, "delårsrapport")
    deadline = dt.date(ÅR, 9, 15)
    rubrik = tidplan.rader(ärende)[0].rubrik
    tidplan.spara(admin(b.kommun), ärende, [tidplan.Ändrad(rubrik, deadline, ansvarig.pk, False)])

    skicka_mail = paminnelser.send_mail
    båda_inne = threading.Barrier(2, timeout=10)

    def långsamt(*args, **kwargs):
        time.sleep(0.5)  # the first run holds its uncommitted record while the second tries to insert its own
        return skicka_mail(*args, **kwargs)

    # Worst case: both runs pass the "already sent?" check before either has inserted.
    inget = mock.MagicMock()
    inget.exists.return_value = False
    resultat: list[int] = []

    def kör():
        try:
            båda_inne.wait()
            resultat.append(paminnelser.skicka(deadline + dt.timedelta(days=1)))
        finally:
            connections.close_all()

    nu = dt.datetime(ÅR, 9, 16, 7, tzinfo=ZoneInfo("Europe/Stockholm"))
    with (
        mock.patch("django.utils.timezone.now", return_value=nu),
        mock.patch.object(paminnelser, "send_mail", side_effect=långsamt),
        mock.patch.object(Påminnelse.objects, "filter", return_value=inget),
    ):
        trådar = [threading.Thread(target=kör) for _ in range(2)]
        for t in trådar:
            t.start()
        for t in trådar:
            t.join(timeout=30)
    assert sorted(resultat) == [0, 1]
    assert len(mail.outbox) == 1 and Påminnelse.objects.count() == 1
