"""spara_månad: kronor in, one transaction, history, closed periods, concurrent edits, roles."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ekonomi import selectors
from ekonomi.models import Kostnadsslag, Prognos, Utfall
from ekonomi.services import Gridrad, Konflikt, Sparat, spara_månad
from nämnd.models import Kommun, Period, Verksamhetsområde
from nämnd.services import stäng, öppna
from nämnd.vakt import Låst
from tests import factories
from tests.conftest import skapa_användare
from tests.factories import syntetisk_nämnd

IFO = "Boende"  # under the block Vård och omsorg
LOV = "Hemtjänst"


@pytest.fixture
def nämnd(db):
    """A small kommun of the demo's shape (tkr): utfall for 2023 up to August, none for September."""
    return factories.liten_kommun(2023).nämnd


@pytest.fixture
def kommun(nämnd) -> Kommun:
    return nämnd.kommun


@pytest.fixture
def läsare(kommun):
    return factories.läsare(kommun, "lasare-lillby")


@pytest.fixture
def controller(kommun, nämnd):
    user = skapa_användare("controller-lillby", kommun, roll="controller")
    user.behörigheter.get().nämnder.set([nämnd])
    return user


@pytest.fixture
def admin(kommun):
    return skapa_användare("admin-lillby", kommun, roll="admin")


def vo(nämnd, namn: str) -> Verksamhetsområde:
    return Verksamhetsområde.objects.get(nämnd=nämnd, namn=namn)


def laddat(user, nämnd, år: int, månad: int) -> dict[str, Gridrad]:
    """The grid as a user loads it: every row unchanged, with its versions (what the form carries)."""
    return {
        r.namn: Gridrad(
            r.id,
            r.utfall_månad,
            r.prognos,
            r.kommentar,
            utfall_före=r.utfall_månad,
            prognos_före=r.prognos,
            kommentar_före=r.kommentar,
            utfall_version=r.utfall_version,
            prognos_version=r.prognos_version,
        )
        for g in selectors.månadsuppföljning(user, nämnd, år, månad)
        for r in g.rader
    }


def ändra(rad: Gridrad, **kw) -> Gridrad:
    from dataclasses import replace

    return replace(rad, **kw)


def test_skapar_ändrar_och_tar_bort_utfall_och_prognos_i_kronor(controller, nämnd):
    ifo = vo(nämnd, IFO)
    assert not Utfall.objects.filter(verksamhetsområde=ifo, år=2023, månad=9).exists()

    rad = laddat(controller, nämnd, 2023, 9)[IFO]
    assert rad.utfall is None and rad.prognos is None
    s = spara_månad(
        controller,
        nämnd,
        2023,
        9,
        [ändra(rad, utfall=D("2309625.50"), prognos=D("28500000"), kommentar="  Fler placeringar.  ")],
    )
    assert s == Sparat(skapade=2, ändrade=0, borttagna=0)
    u = Utfall.objects.get(verksamhetsområde=ifo, år=2023, månad=9)
    p = Prognos.objects.get(verksamhetsområde=ifo, år=2023, månad=9)
    assert (u.belopp, u.version, u.kostnadsslag, u.kategori) == (D("2309625.50"), 1, None, "")
    assert (p.belopp, p.kommentar, p.version) == (D("28500000"), "Fler placeringar.", 1)

    rad = laddat(controller, nämnd, 2023, 9)[IFO]
    assert (rad.utfall_version, rad.prognos_version) == (1, 1)
    s = spara_månad(controller, nämnd, 2023, 9, [ändra(rad, utfall=D("-1022000"), prognos=D("28400000"))])
    assert s == Sparat(0, 2, 0)
    u.refresh_from_db()
    p.refresh_from_db()
    assert (u.belopp, u.version, p.belopp, p.version) == (D("-1022000"), 2, D("28400000"), 2)

    # A prognos with only a comment is kept; clearing everything removes the records.
    rad = laddat(controller, nämnd, 2023, 9)[IFO]
    assert spara_månad(controller, nämnd, 2023, 9, [ändra(rad, prognos=None)]) == Sparat(0, 1, 0)
    p.refresh_from_db()
    assert p.belopp is None and p.kommentar == "Fler placeringar."
    rad = laddat(controller, nämnd, 2023, 9)[IFO]
    assert spara_månad(controller, nämnd, 2023, 9, [ändra(rad, utfall=None, kommentar=" ")]) == Sparat(0, 0, 2)
    assert not Utfall.objects.filter(verksamhetsområde=ifo, år=2023, månad=9).exists()
    assert not Prognos.objects.filter(verksamhetsområde=ifo, år=2023, månad=9).exists()


def test_oförändrade_rader_skrivs_inte(controller, nämnd):
    rader = list(laddat(controller, nämnd, 2023, 8).values())
    före = Utfall.history.count()
    assert spara_månad(controller, nämnd, 2023, 8, rader) == Sparat(0, 0, 0)
    assert Utfall.history.count() == före
    assert set(Utfall.objects.filter(år=2023, månad=8).values_list("version", flat=True)) == {1}


def test_historiken_har_gamla_och_nya_värden_och_vem(controller, nämnd):
    ifo = vo(nämnd, IFO)
    rad = laddat(controller, nämnd, 2023, 8)[IFO]
    gammalt, gammal_kommentar = rad.utfall, rad.kommentar
    spara_månad(controller, nämnd, 2023, 8, [ändra(rad, utfall=D("2400000"), kommentar="Ny kommentar")])
    rad = laddat(controller, nämnd, 2023, 8)[IFO]
    spara_månad(controller, nämnd, 2023, 8, [ändra(rad, utfall=None)])

    u_hist = list(
        Utfall.history.filter(verksamhetsområde_id=ifo.id, år=2023, månad=8).order_by("history_date", "history_id")
    )
    assert [h.history_type for h in u_hist] == ["+", "~", "-"]  # test data load, this save, the removal
    ändring = u_hist[1]
    assert ändring.belopp == D("2400000") and ändring.history_user == controller
    assert ändring.prev_record.belopp == gammalt  # old value = the previous history record
    assert u_hist[2].belopp == D("2400000") and u_hist[2].history_user == controller
    diff = ändring.diff_against(ändring.prev_record)
    assert [(c.field, c.old, c.new) for c in diff.changes] == [("belopp", gammalt, D("2400000"))]

    p_hist = list(
        Prognos.history.filter(verksamhetsområde_id=ifo.id, år=2023, månad=8).order_by("history_date", "history_id")
    )
    assert [h.history_type for h in p_hist] == ["+", "~"]
    assert (p_hist[0].kommentar, p_hist[1].kommentar) == (gammal_kommentar, "Ny kommentar")
    assert p_hist[1].prev_record.pk == p_hist[0].pk


def test_en_felaktig_rad_och_ingenting_sparas(controller, nämnd):
    annan = syntetisk_nämnd(nämnd.kommun, 1, 2, namn="Äldrenämnden")
    främmande = Verksamhetsområde.objects.filter(nämnd=annan, typ="verksamhet").first()
    rader = laddat(controller, nämnd, 2023, 8)
    före_u, före_h = list(Utfall.objects.values_list("id", "belopp", "version")), Utfall.history.count()
    with pytest.raises(ValidationError, match="Okända verksamhetsområden"):
        spara_månad(
            controller,
            nämnd,
            2023,
            8,
            [
                ändra(rader[IFO], utfall=D("1")),
                Gridrad(främmande.id, D("5"), None, "", utfall_före=D("1")),
            ],
        )
    # A block is a sum, not a row of the grid.
    block = Verksamhetsområde.objects.get(nämnd=nämnd, namn="Vård och omsorg")
    with pytest.raises(ValidationError, match="summeringsraderna Vård och omsorg"):
        spara_månad(controller, nämnd, 2023, 8, [ändra(rader[IFO], utfall=D("1")), Gridrad(block.id, D("5"), None, "")])
    assert list(Utfall.objects.values_list("id", "belopp", "version")) == före_u
    assert Utfall.history.count() == före_h


def test_fel_mitt_i_skrivningen_rullar_tillbaka_allt(controller, nämnd, monkeypatch):
    from ekonomi import services

    riktig = services.historik.registrera

    def trasig(model, objekt, *args, **kwargs):
        if model is Prognos:
            raise RuntimeError("databasen försvann")
        return riktig(model, objekt, *args, **kwargs)

    monkeypatch.setattr(services.historik, "registrera", trasig)
    rad = laddat(controller, nämnd, 2023, 8)[IFO]
    with pytest.raises(RuntimeError):
        spara_månad(controller, nämnd, 2023, 8, [ändra(rad, utfall=D("1"), prognos=D("2"))])
    u = Utfall.objects.get(verksamhetsområde_id=rad.verksamhetsområde_id, år=2023, månad=8)
    assert (u.belopp, u.version) == (rad.utfall, 1)


def test_utfall_importerat_per_kostnadsslag_ändras_inte_här(controller, nämnd, kommun):
    ifo = vo(nämnd, IFO)
    slag = Kostnadsslag.objects.create(kommun=kommun, namn="Löner", typ="kostnad")
    Utfall.objects.create(verksamhetsområde=ifo, år=2023, månad=9, kostnadsslag=slag, belopp=D("100"))
    rad = laddat(controller, nämnd, 2023, 9)[IFO]
    with pytest.raises(ValidationError, match="importerat per kostnadsslag"):
        spara_månad(controller, nämnd, 2023, 9, [ändra(rad, utfall=D("5"))])
    # ... but its prognos can be saved.
    assert spara_månad(controller, nämnd, 2023, 9, [ändra(rad, prognos=D("7"))]) == Sparat(1, 0, 0)


def test_stängd_period_vägras_och_öppnad_igen_går_att_spara(controller, admin, nämnd, kommun):
    rad = laddat(controller, nämnd, 2023, 8)[IFO]
    stäng(admin, kommun, 2023, [8])
    with pytest.raises(Låst, match="2023-08 är stängd"):
        spara_månad(controller, nämnd, 2023, 8, [ändra(rad, utfall=D("1"))])
    assert Utfall.objects.get(verksamhetsområde_id=rad.verksamhetsområde_id, år=2023, månad=8).belopp == rad.utfall
    # Other months stay open.
    rad9 = laddat(controller, nämnd, 2023, 9)[IFO]
    assert spara_månad(controller, nämnd, 2023, 9, [ändra(rad9, utfall=D("9"))]).skapade == 1

    öppna(admin, kommun, 2023, [8], orsak="Rättelse av felkontering")
    assert spara_månad(controller, nämnd, 2023, 8, [ändra(rad, utfall=D("1"))]) == Sparat(0, 1, 0)

    historik = list(Period.history.filter(kommun=kommun, år=2023, månad=8).order_by("history_date", "history_id"))
    # The period row is created open on first close, then closed, then reopened with a reason.
    assert [(h.history_type, h.stängd) for h in historik] == [("+", False), ("~", True), ("~", False)]
    stängd, öppnad = historik[1:]
    assert stängd.history_user == admin and stängd.stängd_av == admin
    assert öppnad.history_user == admin and öppnad.stängd_av is None
    assert öppnad.history_change_reason == "Rättelse av felkontering"


def test_samtidig_ändring_ger_konflikt_som_namnger_raden(controller, nämnd, kommun):
    kollega = skapa_användare("controller-2", kommun, roll="controller")
    kollega.behörigheter.get().nämnder.set([nämnd])
    mina, kollegans = laddat(controller, nämnd, 2023, 8), laddat(kollega, nämnd, 2023, 8)

    spara_månad(controller, nämnd, 2023, 8, [ändra(mina[IFO], utfall=D("111000"))])
    före = {(u.verksamhetsområde_id, u.belopp, u.version) for u in Utfall.objects.filter(år=2023, månad=8)}
    with pytest.raises(Konflikt) as fel:
        spara_månad(
            kollega,
            nämnd,
            2023,
            8,
            [
                ändra(kollegans[IFO], utfall=D("222000")),
                ändra(kollegans[LOV], utfall=D("333000")),
            ],
        )
    assert fel.value.rader == [IFO]
    assert f"Någon annan har ändrat {IFO} sedan du öppnade sidan. Inget sparades." in fel.value.messages[0]
    assert {(u.verksamhetsområde_id, u.belopp, u.version) for u in Utfall.objects.filter(år=2023, månad=8)} == före

    # A prognos-only edit of the same row conflicts too when the prognos moved on.
    spara_månad(controller, nämnd, 2023, 8, [ändra(laddat(controller, nämnd, 2023, 8)[LOV], prognos=D("1"))])
    with pytest.raises(Konflikt):
        spara_månad(kollega, nämnd, 2023, 8, [ändra(kollegans[LOV], kommentar="Ny")])

    # Saving only rows nobody else touched works, from the same (old) page.
    övrig = "Bistånd"
    assert spara_månad(
        kollega,
        nämnd,
        2023,
        8,
        [
            kollegans[IFO],
            ändra(kollegans[övrig], utfall=D("444000")),  # IFO unchanged: not a conflict
        ],
    ) == Sparat(0, 1, 0)
    assert Utfall.objects.get(verksamhetsområde__namn=övrig, år=2023, månad=8).belopp == D("444000")
    assert Utfall.objects.get(verksamhetsområde__namn=IFO, år=2023, månad=8).belopp == D("111000")


def test_båda_skapar_samma_nya_värde_ger_konflikt(controller, nämnd, kommun):
    kollega = skapa_användare("controller-2", kommun, roll="controller")
    kollega.behörigheter.get().nämnder.set([nämnd])
    mina, kollegans = laddat(controller, nämnd, 2023, 9), laddat(kollega, nämnd, 2023, 9)
    spara_månad(controller, nämnd, 2023, 9, [ändra(mina[IFO], utfall=D("1"))])
    with pytest.raises(Konflikt):
        spara_månad(kollega, nämnd, 2023, 9, [ändra(kollegans[IFO], utfall=D("2"))])


def test_läsare_och_controller_för_annan_nämnd_får_inte_spara(läsare, nämnd, kommun):
    rad = laddat(läsare, nämnd, 2023, 8)[IFO]
    with pytest.raises(PermissionDenied):
        spara_månad(läsare, nämnd, 2023, 8, [ändra(rad, utfall=D("1"))])

    annan = syntetisk_nämnd(kommun, 1, 2, namn="Äldrenämnden")
    fel_nämnd = skapa_användare("controller-aldre", kommun, roll="controller")
    fel_nämnd.behörigheter.get().nämnder.set([annan])
    with pytest.raises(PermissionDenied):
        spara_månad(fel_nämnd, nämnd, 2023, 8, [ändra(rad, utfall=D("1"))])

    utan_nämnder = skapa_användare("controller-utan", kommun, roll="controller")
    with pytest.raises(PermissionDenied):
        spara_månad(utan_nämnder, nämnd, 2023, 8, [ändra(rad, utfall=D("1"))])

    annan_kommun = Kommun.objects.create(namn="Täby kommun")
    taby = skapa_användare("controller-taby", annan_kommun, roll="controller")
    with pytest.raises(PermissionDenied):
        spara_månad(taby, nämnd, 2023, 8, [ändra(rad, utfall=D("1"))])
    assert Utfall.objects.get(verksamhetsområde_id=rad.verksamhetsområde_id, år=2023, månad=8).belopp == rad.utfall


def test_antal_frågor_växer_inte_med_antalet_rader(kommun, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = django_user_model.objects.create_superuser("su", password="x")
    antal = []
    for block, per in ((2, 5), (6, 10)):
        nämnd = syntetisk_nämnd(kommun, block, per)
        rader = [
            ändra(r, utfall=(r.utfall or 0) + 1, prognos=(r.prognos or 0) + 1)
            for r in laddat(user, nämnd, 2023, 8).values()
        ]
        with CaptureQueriesContext(connection) as frågor:
            assert spara_månad(user, nämnd, 2023, 8, rader) == Sparat(0, 2 * block * per, 0)
        antal.append(len(frågor))
    assert antal[0] == antal[1], antal
