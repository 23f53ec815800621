"""Periodised budgets as ekonomisystem exports deliver them, imported exactly (real .xlsx files made here with
openpyxl, through the import service: preview → confirm), and "ingen budget".

The kommun is ``annan_form_kommun(delårsmånad=6)`` (mnkr, costs shown negative, delår per 30 June): Omsorgsnämnden
with Hemtjänst (ansvar 7410; KF-budget 24 mnkr) and Särskilt boende (ansvar 742*; KF-budget 36 mnkr); the kommun's
standard periodiseringsprofil weighs July half and December double."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ekonomi import berakning
from ekonomi.models import Budgetpost, Kostnadsslag, Periodiseringsprofil
from importer import mallar
from nämnd.services import stäng
from rapporter import layouter
from tests import factories
from tests.importer.test_lasare import xlsx
from tests.rapporter import test_rapport

pytestmark = pytest.mark.django_db

D = Decimal
ÅR = 2025
MÅN = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
STANDARD = [D(1)] * 6 + [D("0.5"), D(1), D(1), D(1), D(1), D(2)]
NBSP = "\u00a0"


@pytest.fixture
def ekeby():
    b = factories.annan_form_kommun(delårsmånad=6)
    b.områden["Hemtjänst"].ansvarskoder = "7410"
    b.områden["Hemtjänst"].save()
    b.områden["Särskilt boende"].ansvarskoder = "742*"
    b.områden["Särskilt boende"].save()
    Periodiseringsprofil.objects.create(
        kommun=b.kommun, namn="Kommunens standard", standard=True, **dict(zip(MÅN, STANDARD, strict=True))
    )
    Periodiseringsprofil.objects.create(kommun=b.kommun, namn="Annan", jan=5)  # not the standard: never used
    return b


def granska(user, nämnd, typ: str, innehåll: bytes) -> mallar.Granskning:
    return mallar.förhandsgranska(user, nämnd, typ, f"{typ}.xlsx", innehåll)


def kf(område) -> Budgetpost:
    return Budgetpost.objects.get(verksamhetsområde=område, år=ÅR, slag="kf", kostnadsslag__isnull=True)


def test_mall_med_månaderna_jan_dec_i_kronor_lagras_exakt(ekeby):
    omsorg, ht = ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    admin = factories.admin(ekeby.kommun)
    månader = [D("2000000.07"), D("1999999.93"), D("2000000.11"), D("2000000.13"), D("1999999.99"), D("2000000.17")]
    månader += [D("1000000.01"), D("3000000.03"), D("2000000.05"), D("2000000.09"), D("1999999.97"), D("2000000.27")]
    summa = sum(månader)  # 24 000 000,82
    fil = xlsx(
        (
            "Budget",
            [
                ["Verksamhetsområde", "År", "Slag", "Belopp helår (kr)", *MÅN],
                ["Hemtjänst", ÅR, "KF-budget", None, *[str(m).replace(".", ",") for m in månader]],
            ],
        )
    )
    g = granska(admin, omsorg, "budget", fil)
    assert g.fel == [] and g.kan_bekräftas
    rader = {r[1]: r[2:] for r in g.plan.rader}
    assert rader["Hemtjänst 2025 KF-budget"] == (f"24{NBSP}000{NBSP}000", f"24{NBSP}000{NBSP}000,82")
    assert rader["Hemtjänst 2025 KF-budget: periodbudget"] == ("–", f"jan–dec 24{NBSP}000{NBSP}000,82 kr")
    assert rader["Hemtjänst 2025 KF-budget: månader (kr)"][1].startswith(f"jan 2{NBSP}000{NBSP}000,07, feb 1{NBSP}999")
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)

    post = kf(ht)
    assert post.belopp == summa and post.profil is None
    assert post.månader == tuple(månader)
    assert Periodiseringsprofil.objects.filter(kommun=ekeby.kommun).count() == 2  # no profile from the months
    for t in range(13):
        assert berakning.periodbudget(post.belopp, None, t, post.månader) == sum(månader[:t])
    # the same file again: nothing changes
    g2 = granska(admin, omsorg, "budget", fil)
    assert (len(g2.plan.poster), g2.plan.oförändrade, g2.kan_bekräftas) == (0, 1, False)


def test_mall_med_periodkolumn_jan_aug_och_ansvarskod(ekeby):
    omsorg, ht, sb = ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"], ekeby.områden["Särskilt boende"]
    admin = factories.admin(ekeby.kommun)
    fil = xlsx(
        (
            "Budget 2025",
            [
                ["Budget per verksamhet"],
                ["Verksamhetsområde", "Ansvar", "År", "Slag", "Årsbudget (kr)", "Budget jan–aug (kr)"],
                ["Hemtjänst", None, ÅR, "KF-budget", 24_000_000, "16 123 456,79"],
                [None, "7421", ÅR, "KF-budget", "36 000 000,00", "23 999 999,99"],  # Särskilt boende by a wildcard
            ],
        )
    )
    g = granska(admin, omsorg, "budget", fil)
    assert g.fel == [], g.fel
    rader = {r[1]: r[2:] for r in g.plan.rader}
    assert rader["Hemtjänst 2025 KF-budget: periodbudget"] == ("–", f"jan–aug 16{NBSP}123{NBSP}456,79 kr")
    assert rader["Särskilt boende 2025 KF-budget: periodbudget"] == ("–", f"jan–aug 23{NBSP}999{NBSP}999,99 kr")
    assert "Hemtjänst 2025 KF-budget" not in rader  # helår unchanged
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)

    for område, period in ((ht, D("16123456.79")), (sb, D("23999999.99"))):
        post = kf(område)
        assert post.profil is None and post.månader[8:] == (None,) * 4
        assert sum(post.månader[:8]) == period  # to the öre
        # spread by the standard profile (July half), the remainder on August
        assert post.månader[:7] == tuple((period * w / D("7.5")).quantize(D("0.01")) for w in STANDARD[:7]), (
            post.månader
        )
        underlag = berakning.Budgetbelopp("kf", ÅR, post.belopp, tuple(STANDARD), månader=post.månader)
        assert underlag.period(8) == period
        rest = post.belopp - period
        assert underlag.period(10) == period + (rest * 2 / 5).quantize(D("0.01"))  # sep–dec weigh 1, 1, 1, 2
        assert underlag.period(12) == post.belopp

    # "Periodbudget" with the month in a column "T.o.m. månad" changes the period
    fil2 = xlsx(
        (
            "B",
            [
                ["Verksamhetsområde", "År", "Slag", "Belopp helår (kr)", "Periodbudget (kr)", "T.o.m. månad"],
                ["Hemtjänst", ÅR, "KF-budget", 24_000_000, "12 000 000,01", "jun"],
            ],
        )
    )
    g = granska(admin, omsorg, "budget", fil2)
    rader = {r[1]: r[2:] for r in g.plan.rader}
    assert rader["Hemtjänst 2025 KF-budget: periodbudget"] == (
        f"jan–aug 16{NBSP}123{NBSP}456,79 kr",
        f"jan–jun 12{NBSP}000{NBSP}000,01 kr",
    )
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    post = kf(ht)
    assert sum(post.månader[:6]) == D("12000000.01") and post.månader[6:] == (None,) * 6


def test_periodkolumn_utan_månad_och_utan_helår_är_fel(ekeby):
    omsorg = ekeby.nämnder["Omsorgsnämnden"]
    admin = factories.admin(ekeby.kommun)
    fil = xlsx(
        (
            "B",
            [
                ["Verksamhetsområde", "År", "Slag", "Belopp helår (kr)", "Periodbudget (kr)", "T.o.m. månad"],
                ["Hemtjänst", ÅR, "KF-budget", 24_000_000, 100, None],
                ["Särskilt boende", ÅR, "KF-budget", None, 100, 8],
            ],
        )
    )
    g = granska(admin, omsorg, "budget", fil)
    fel = [(f.rad, f.kolumn, f.meddelande) for f in g.fel]
    assert fel[0][:2] == (2, "E (Periodbudget (kr))") and "sista månad saknas" in fel[0][2]
    assert fel[1] == (3, "D (Belopp helår (kr))", "Helårsbeloppet saknas. Ange helårsbudgeten bredvid periodbudgeten.")


def kontofil(period_rubrik: str = "Budget jan–jun (kr)") -> tuple[bytes, D]:
    """The ekonomisystem's budget export: ansvar, konto, årsbudget and a period budget, seven Personal rows of
    odd öre for Hemtjänst (their shares don't divide evenly) and a Lokaler row; a sum row at the end."""
    personal = [
        ("5010", "1 234 567,89", "617 283,97"),
        ("5011", "2 345 678,91", "1 172 839,47"),
        ("5012", "3 456 789,13", "1 728 394,59"),
        ("5013", "0,07", "0,03"),
        ("5014", "9 999 999,99", "4 999 999,99"),
        ("5015", "1 111 111,11", "555 555,57"),
        ("5016", "851 852,03", "425 926,01"),
    ]
    rader = [[7410, konto, ÅR, helår, period] for konto, helår, period in personal]
    rader.append(["7410", "6110", ÅR, "5 000 000,00", "2 499 999,99"])
    rader.append(["7421", "6110", ÅR, "36 000 000", None])  # no period for Särskilt boende: by the profile
    period = sum(D(p.replace(" ", "").replace(",", ".")) for _, _, p in personal) + D("2499999.99")
    fil = xlsx(
        (
            "Export",
            [
                ["Budgetexport Omsorgsnämnden 2025"],
                ["Ansvar", "Konto", "År", "Årsbudget (kr)", period_rubrik],
                *rader,
                [None, None, None, "Summa", None],
            ],
        )
    )
    return fil, period


def test_budgetexport_med_periodkolumn_över_många_kontorader_i_rapporten_på_kronan(ekeby, client):
    kommun, omsorg, ht = ekeby.kommun, ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    Kostnadsslag.objects.create(kommun=kommun, namn="Personal", typ="kostnad", konton="5000-5999", ordning=1)
    Kostnadsslag.objects.create(kommun=kommun, namn="Lokaler", typ="kostnad", konton="6000-6999", ordning=2)
    admin = factories.admin(kommun)
    fil, period = kontofil()
    g = granska(admin, omsorg, "budgetkonto", fil)
    assert g.fel == [] and g.kan_bekräftas, g.fel
    rader = {r[1]: r[2:] for r in g.plan.rader}
    assert rader["Hemtjänst 2025 KF-budget, Personal: periodbudget"] == ("–", f"jan–jun 9{NBSP}499{NBSP}999,63 kr")
    assert rader["Hemtjänst 2025 KF-budget, Lokaler: periodbudget"] == ("–", f"jan–jun 2{NBSP}499{NBSP}999,99 kr")
    assert "Särskilt boende 2025 KF-budget, Lokaler: periodbudget" not in rader
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)

    poster = Budgetpost.objects.filter(verksamhetsområde=ht, år=ÅR, slag="kf")
    assert {p.kostnadsslag.namn for p in poster} == {"Personal", "Lokaler"}
    assert sum(sum(p.månader[:6]) for p in poster) == period == D("11999999.62")
    assert sum(p.belopp for p in poster) == D("23999999.13")

    # The delårsrapport per 30 June (table in kronor with öre): the period budget is the file's to the öre.
    layouter.spara(
        admin,
        kommun,
        "delårsrapport",
        [
            {
                "typ": "drift",
                "rubrik": "Drift i kronor",
                "parametrar": {
                    "id": "kr",
                    "kolumner": [{"mått": m, "rubrik": ""} for m in ("kf_budget", "kf_budget_helår")],
                    "enhet": "kr",
                    "decimaler": 2,
                },
            }
        ],
    )
    client.force_login(factories.läsare(kommun))
    r = client.get(reverse("export-tabell", args=[omsorg.id, ÅR, "delårsrapport", "kr"]))
    assert r.status_code == 200
    blad = [[c.value for c in rad] for rad in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows()]
    hemtjänst = next(rad for rad in blad if rad[0] == "Hemtjänst")
    # costs are shown negative in this kommun
    assert D(repr(hemtjänst[1])) == -period and "jan–jun" in str(blad[0][1])
    assert D(repr(hemtjänst[2])) == D("-23999999.13")
    html = client.get(reverse("rapport", args=[omsorg.id, ÅR, "delårsrapport"])).content
    assert test_rapport.tabell(html, f"kr-{omsorg.id}")["Hemtjänst"][0] == test_rapport.tal("−11 999 999,62")

    # the same file again: nothing changes
    g2 = granska(admin, omsorg, "budgetkonto", fil)
    assert (len(g2.plan.poster), g2.kan_bekräftas) == (0, False)


def test_tom_cell_är_ingen_budget_och_noll_är_noll(ekeby, client):
    kommun, omsorg = ekeby.kommun, ekeby.nämnder["Omsorgsnämnden"]
    dag = factories.VerksamhetsområdeFactory(nämnd=omsorg, namn="Dagverksamhet", ordning=30)
    anhörig = factories.VerksamhetsområdeFactory(nämnd=omsorg, namn="Anhörigstöd", ordning=40)
    admin = factories.admin(kommun)
    fil = xlsx(
        (
            "Budget",
            [
                ["Verksamhetsområde", "År", "Slag", "Belopp helår (kr)", "Kommentar"],
                ["Dagverksamhet", ÅR, "KF-budget", None, ""],  # no budget
                ["Anhörigstöd", ÅR, "KF-budget", 0, ""],  # a budget of 0
                ["Hemtjänst", ÅR, "KF-budget", "", ""],  # no budget: the stored one stays
            ],
        )
    )
    g = granska(admin, omsorg, "budget", fil)
    assert g.fel == [] and g.kan_bekräftas
    assert g.plan.noteringar[0] == "2 rader har ingen budget (tom beloppscell)."
    assert (
        "Rad 2 på bladet Budget: Dagverksamhet 2025 KF-budget: ingen budget (tom beloppscell), inget lagras."
        in g.plan.noteringar
    )
    assert any(
        n.startswith("Rad 4 på bladet Budget: Hemtjänst 2025 KF-budget: ingen budget") and "lämnas orörd" in n
        for n in g.plan.noteringar
    )
    assert g.plan.rader == [("Ny", "Anhörigstöd 2025 KF-budget", "", "0")]
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    assert not Budgetpost.objects.filter(verksamhetsområde=dag).exists()
    assert kf(anhörig).belopp == 0
    assert kf(ekeby.områden["Hemtjänst"]).belopp == 24_000_000

    # In the report: "–" where there is no budget, "0" where it is 0; the sum adds what exists.
    layouter.spara(
        admin,
        kommun,
        "delårsrapport",
        [
            {
                "typ": "drift",
                "rubrik": "Drift",
                "parametrar": {
                    "id": "d",
                    "kolumner": [{"mått": m, "rubrik": ""} for m in ("kf_budget", "kf_budget_helår", "utfall")],
                    "enhet": "tkr",
                    "rader": {"dölj_tomma": False},
                },
            }
        ],
    )
    client.force_login(factories.läsare(kommun))
    html = client.get(reverse("rapport", args=[omsorg.id, ÅR, "delårsrapport"])).content
    t = test_rapport.tabell(html, f"d-{omsorg.id}")
    assert t["Dagverksamhet"] == [None, None, None]
    assert t["Anhörigstöd"] == [D(0), D(0), None]
    assert t["Hemtjänst"][:2] == [D(-11_520), D(-24_000)]  # by the standard profile: 24 mnkr × 6 / 12,5
    rader = {
        tr.find("th").get_text(" ", strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in test_rapport.BeautifulSoup(html, "html.parser").find("table", id=f"d-{omsorg.id}").find_all("tr")
        if tr.find("th", scope="row")
    }
    assert rader["Dagverksamhet"][:2] == ["–", "–"] and rader["Anhörigstöd"][:2] == ["0", "0"]


def test_stängt_år_vägrar_ändringar_men_inte_samma_fil(ekeby):
    kommun, omsorg = ekeby.kommun, ekeby.nämnder["Omsorgsnämnden"]
    admin = factories.admin(kommun)
    fil = xlsx(
        (
            "B",
            [
                ["Verksamhetsområde", "År", "Slag", "Årsbudget (kr)", "Budget jan–aug (kr)"],
                ["Hemtjänst", ÅR, "KF-budget", 24_000_000, "16 000 000,01"],
            ],
        )
    )
    g = granska(admin, omsorg, "budget", fil)
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    stäng(admin, kommun, ÅR, [12])
    assert granska(admin, omsorg, "budget", fil).fel == []  # unchanged: fine in a closed year
    ändrad = xlsx(
        (
            "B",
            [
                ["Verksamhetsområde", "År", "Slag", "Årsbudget (kr)", "Budget jan–aug (kr)"],
                ["Hemtjänst", ÅR, "KF-budget", 24_000_000, "16 000 000,02"],
            ],
        )
    )
    g = granska(admin, omsorg, "budget", ändrad)
    assert [f.meddelande for f in g.fel] == [
        "Året 2025 är stängt (2025-12 är stängd) och värdet kan inte ändras. Be en administratör öppna perioden igen."
    ]
    with pytest.raises(mallar.InteBekräftad):
        mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    assert sum(kf(ekeby.områden["Hemtjänst"]).månader[:8]) == D("16000000.01")


def test_budgetexport_med_månadskolumner_summerar_månaderna_och_tom_rad_är_ingen_budget(ekeby):
    kommun, omsorg, ht = ekeby.kommun, ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    Kostnadsslag.objects.create(kommun=kommun, namn="Personal", typ="kostnad", konton="5000-5999", ordning=1)
    admin = factories.admin(kommun)
    rad1 = [D("100.01")] * 6 + [None] * 6  # jan–jun exact, the rest of the year by the standard profile
    rad2 = [D("0.03")] * 3 + [None] * 9
    fil = xlsx(
        (
            "Export",
            [
                ["Ansvar", "Konto", "År", "Årsbudget", *MÅN],
                [7410, 5010, ÅR, "1 000,00", *[None if v is None else str(v) for v in rad1]],
                [7410, 5020, ÅR, "1,00", *[None if v is None else str(v) for v in rad2]],
                [7410, 5030, ÅR, None, *([None] * 12)],  # no budget
            ],
        )
    )
    g = granska(admin, omsorg, "budgetkonto", fil)
    assert g.fel == [] and g.kan_bekräftas
    assert g.tolkat.noteringar[0] == "1 rad har ingen budget (tom beloppscell)."
    rader = {r[1]: r[2:] for r in g.plan.rader}
    assert rader["Hemtjänst 2025 KF-budget, Personal: periodbudget"] == ("–", "jan–jun 600,15 kr")
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    post = Budgetpost.objects.get(verksamhetsområde=ht, år=ÅR, kostnadsslag__namn="Personal")
    assert post.belopp == D("1001.00")
    assert post.månader == (D("100.04"),) * 3 + (D("100.01"),) * 3 + (None,) * 6
    g2 = granska(admin, omsorg, "budgetkonto", fil)
    assert (len(g2.plan.poster), g2.kan_bekräftas) == (0, False)


def test_ifylld_mall_skriver_de_exakta_månaderna_och_kan_importeras_igen_utan_ändringar(ekeby, client):
    kommun, omsorg, ht = ekeby.kommun, ekeby.nämnder["Omsorgsnämnden"], ekeby.områden["Hemtjänst"]
    post = kf(ht)
    post.månader = [D("2000000.07")] * 8 + [None] * 4
    post.save()
    client.force_login(factories.admin(kommun))
    r = client.get(reverse("importmall-ifylld", args=[omsorg.pk, "budget", ÅR]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rubriker = [c.value for c in ws[1]]
    rad = next(
        dict(zip(rubriker, v, strict=True))
        for v in ws.iter_rows(min_row=2, values_only=True)
        if v[0] == "Hemtjänst" and "KF-budget" in v
    )
    assert [rad[m] for m in MÅN] == [2000000.07] * 8 + [None] * 4
    g = granska(factories.admin(kommun), omsorg, "budget", r.content)
    assert g.fel == [] and len(g.plan.poster) == 0
