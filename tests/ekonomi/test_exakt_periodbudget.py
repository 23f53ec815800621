"""Exact periodised budgets (``ekonomi.berakning.periodbudget`` with exact months): the period's exact months count
to the öre, the rest of the year is spread by the post's profile, else the kommun's standard profile, else evenly;
the selectors carry the exact months and the standard profile without extra queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ekonomi import berakning
from ekonomi.berakning import Budgetbelopp, fördela_exakt, periodbudget
from ekonomi.models import Budgetpost, Periodiseringsprofil
from ekonomi.selectors import ekonomiunderlag
from tests import factories

D = Decimal
ÖRE = D("0.01")


def test_utan_exakta_månader_som_förut():
    assert periodbudget(D(1_200_000), None, 8) == D(800_000)
    vikter = [D(1)] * 5 + [D("0.5")] * 2 + [D(1)] * 5
    assert periodbudget(D(1_100_000), vikter, 6) == D(550_000)
    assert periodbudget(D(1_100_000), vikter, 6, [None] * 12) == D(550_000)


def test_exakta_månader_räknas_på_öret_och_resten_sprids_jämnt():
    # jan–aug exact with odd öre; the rest (helår − Σ exact) spread evenly over sep–dec
    månader = [D("100000.01"), D("99999.99"), D("123456.78"), D("87654.33"), D("1.07"), D(0), D("55555.55"), D("3.03")]
    helår = D("900000.00")
    exakta = sum(månader)
    full = [*månader, None, None, None, None]
    assert periodbudget(helår, None, 8, full) == exakta
    assert periodbudget(helår, None, 3, full) == sum(månader[:3])
    rest = helår - exakta
    assert periodbudget(helår, None, 10, full) == exakta + (rest / 2).quantize(ÖRE)
    assert periodbudget(helår, None, 12, full) == helår
    assert periodbudget(helår, None, 0, full) == 0
    # the months add up to every period
    summa = sum(berakning.månadsbudget(helår, None, m, full) for m in range(1, 9))
    assert summa == exakta


def test_resten_sprids_med_profilen_begränsad_till_de_fria_månaderna():
    vikter = [D(1)] * 8 + [D(3), D(1), D(0), D(0)]  # sep weighs three times okt; nov–dec nothing
    full = [D(10)] * 8 + [None] * 4
    assert periodbudget(D(480), vikter, 9, full) == D(80) + D(300)
    assert periodbudget(D(480), vikter, 10, full) == D(480)
    # free months whose weights are all 0: evenly over them
    noll = [D(1)] * 8 + [D(0)] * 4
    assert periodbudget(D(480), noll, 10, full) == D(80) + D(200)


def test_alla_tolv_exakta_differensen_hamnar_i_december():
    full = [D("100.00")] * 12
    assert periodbudget(D("1200.40"), None, 11, full) == D(1100)
    assert periodbudget(D("1200.40"), None, 12, full) == D("1200.40")


def test_fördela_exakt_summerar_på_öret():
    for belopp in (D("12345678.90"), D("7.07"), D("-1000000.01"), D(0)):
        for t in (1, 7, 8, 12):
            delar = fördela_exakt(belopp, None, t)
            assert len(delar) == t and sum(delar) == belopp
            assert all(d == d.quantize(ÖRE) for d in delar)
    # by weights; a remainder lands on the last month
    assert fördela_exakt(D(100), [D(1), D(2)] + [D(1)] * 10, 3) == [D(25), D(50), D(25)]
    assert fördela_exakt(D(100), None, 3) == [D("33.33"), D("33.33"), D("33.34")]


def test_budgetbelopp_volym_följer_exakta_månader():
    b = Budgetbelopp("kf", 2025, D(1200), None, volym=D(120), peng=D(10), månader=tuple([D(200)] * 3 + [None] * 9))
    assert b.period(3) == D(600)
    assert b.andel(3) == D("0.5")
    bas = berakning.bas(berakning.Områdesunderlag(1, "A", "verksamhet", None, budget=(b,)), 2025, 3, 3)
    assert bas.kf == D(600) and bas.plan_volym == D(60) and bas.plan_peng == D(600)


def test_periodbudget_fel():
    with pytest.raises(ValueError):
        periodbudget(D(1), None, 13, [D(1)] + [None] * 11)
    with pytest.raises(ValueError):
        periodbudget(D(1), None, 3, [D(1)] * 5)


@pytest.mark.django_db
def test_selektorn_bär_exakta_månader_och_standardprofilen(django_assert_num_queries):
    b = factories.annan_form_kommun()
    kommun, omsorg = b.kommun, b.nämnder["Omsorgsnämnden"]
    admin = factories.admin(kommun)
    ht = b.områden["Hemtjänst"]
    post = Budgetpost.objects.get(verksamhetsområde=ht, år=2025, slag="kf")  # 24 mnkr, no profile
    post.månader = [D("2000000.07")] * 6 + [None] * 6
    post.save()
    # a standard profile of the kommun: december weighs double; another kommun's standard is not used
    Periodiseringsprofil.objects.create(kommun=kommun, namn="Standard", dec=2, standard=True)
    annan = factories.KommunFactory(namn="Annanby", kommunkod="9955")
    Periodiseringsprofil.objects.create(kommun=annan, namn="Standard", jan=12, standard=True)

    with django_assert_num_queries(4):
        underlag = {o.id: o for o in ekonomiunderlag(admin, [omsorg], 2025, 8)}
    kf = next(x for x in underlag[ht.id].budget if x.slag == "kf")
    assert kf.månader == tuple([D("2000000.07")] * 6 + [None] * 6)
    assert kf.vikter == tuple([D(1)] * 11 + [D(2)])
    # jan–jun exact; the rest (24 000 000 − 12 000 000,42) over jul–dec by the standard profile (1,1,1,1,1,2)
    rest = D(24_000_000) - D("12000000.42")
    assert kf.period(6) == D("12000000.42")
    assert kf.period(8) == D("12000000.42") + (rest * 2 / 7).quantize(ÖRE)
    assert kf.period(12) == D(24_000_000)
    # Särskilt boende has no exact months: spread by the standard profile (13 weights in all)
    sb = next(x for x in underlag[b.områden["Särskilt boende"].id].budget if x.slag == "kf")
    assert sb.månader is None and sb.period(8) == (D(36_000_000) * 8 / 13).quantize(ÖRE)


@pytest.mark.django_db
def test_högst_en_standardprofil_per_kommun_och_tolv_exakta_månader_ska_gå_ihop():
    kommun = factories.KommunFactory(namn="Profilby", kommunkod="9956")
    Periodiseringsprofil.objects.create(kommun=kommun, namn="A", standard=True)
    Periodiseringsprofil.objects.create(kommun=kommun, namn="B")
    with pytest.raises(ValidationError, match="redan en standardprofil"):
        Periodiseringsprofil(kommun=kommun, namn="C", standard=True).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Periodiseringsprofil.objects.create(kommun=kommun, namn="D", standard=True)
    nämnd = factories.NämndFactory(kommun=kommun)
    o = factories.VerksamhetsområdeFactory(nämnd=nämnd, namn="X")
    post = Budgetpost(verksamhetsområde=o, år=2025, slag="kf", belopp=D(1200))
    post.månader = [D(100)] * 11 + [D(99)]
    with pytest.raises(ValidationError, match="summerar till 1199"):
        post.full_clean()
    post.månader = [D(100)] * 11 + [None]
    post.full_clean()


@pytest.mark.django_db
def test_admin_visar_och_sparar_exakta_månader_och_standardprofilen(client):
    from django.contrib.auth import get_user_model

    b = factories.liten_kommun()
    post = Budgetpost.objects.filter(verksamhetsområde__nämnd__kommun=b.kommun, slag="kf").first()
    user = get_user_model().objects.create_superuser("super", "s@example.org", "x")
    client.force_login(user)
    url = f"/admin/ekonomi/budgetpost/{post.pk}/change/"
    sida = client.get(url).content.decode()
    assert "Exakta månadsbelopp (kr)" in sida and 'name="aug_kr"' in sida
    assert 'name="standard"' in client.get("/admin/ekonomi/periodiseringsprofil/add/").content.decode()
