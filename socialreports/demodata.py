"""Builds the demo kommuner from the folders under fixtures/ (one kommun each, its ``demo.json`` says everything:
the kommun, its organisation, figures, texts, layouts and demo users). Idempotent: an existing demo kommun is
replaced. Nothing here names a kommun.

Two fixture formats (``demo.json`` "format"):
- "publicerad" (the default): published figures (CSV, tkr) per period and year; the loader stores what the system
  really stores (kronor, per month): nettokostnad per month spread evenly over the months of each period, budget
  per year.
- "månadsvis": what a kommun stores, row by row in kronor — the organisation (several nämnder, a split with
  föregångare), budget posts with budget kind, volym, peng and periodiseringsprofil, monthly utfall, prognoser,
  investeringar, monthly nyckeltal, mål with the kommun's own bedömning scale and report occasions; optionally
  kostnadsslag (``kostnadsslag.csv``), utfall and budget per kostnadsslag (``utfall_kostnadsslag.csv``,
  ``budget_kostnadsslag.csv``: they replace the netto row of the same område, year, month/slag and budget kind, which
  they must sum to) and the kommun's own tables (demo.json "egentabeller").

Either format may have ``koder.csv``: the ekonomisystem's ansvar and verksamhet codes per område (invented for the
demo), so an utfall or budget export can be imported at once (example files under ``<folder>/ekonomisystem/``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ekonomi.models import MÅNADER as PROFILMÅNADER
from ekonomi.models import (
    Budgetpost,
    Investering,
    Investeringsprognos,
    Investeringsutgift,
    Kostnadsslag,
    Periodiseringsprofil,
    Prognos,
    Utfall,
)
from grund import historik
from importer import kolada_jamforelse
from importer.models import Import
from nyckeltal.models import (
    Bedömningsnivå,
    Indikator,
    Indikatorvärde,
    Mål,
    Måluppfyllelse,
    Nyckeltal,
    Nyckeltalsgrupp,
    Nyckeltalsvärde,
    Uppdrag,
    Uppdragsstatus,
)
from nyckeltal.services import standardskala
from nämnd.models import Behörighet, Kommun, Nämnd, Rapporttillfälle, Verksamhetsområde
from publicering.models import Rapportversion, Rapportärende
from rapporter import egentabeller, layouter
from rapporter.models import Egenkolumn, Egenrad, Egentabell, Layoutsektion, Rapportlayout, Textavsnitt

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
TKR = Decimal(1000)
DEMO_LÖSENORD = "demo1234"
# Demo users of a fixture that names none (username → roll).
STANDARDANVÄNDARE = {"demo-admin": "admin", "demo-controller": "controller", "demo-lasare": "läsare"}


def kataloger() -> list[Path]:
    """The demo fixture folders, in the order their ``demo.json`` gives ("ordning", default 1), then by name. The
    first is the demo kommun ``ladda()`` loads by default."""
    mappar = [p for p in FIXTURES.iterdir() if (p / "demo.json").is_file()]
    return sorted(mappar, key=lambda p: (_läs_demo(p).get("ordning", 1), p.name))


def _läs_demo(katalog: Path) -> dict:
    return json.loads((katalog / "demo.json").read_text(encoding="utf-8"))


def läs_csv(katalog: Path, namn: str) -> list[dict[str, str]]:
    with open(katalog / namn, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f, delimiter=";")]


def tkr(text: str) -> Decimal:
    return Decimal(text.replace(",", ".") or 0) * TKR


def fördela(belopp: Decimal, månader: range, steg: Decimal = TKR) -> dict[int, Decimal]:
    """Split kronor evenly over months in whole ``steg`` (tkr: what a user types in the grid, never "2 860,625");
    the last month takes the remainder so the sum is exact (the reference figures stay those of the files)."""
    n = len(months := list(månader))
    del_ = (belopp / n / steg).quantize(Decimal(1), ROUND_HALF_UP) * steg
    result = {m: del_ for m in months}
    result[months[-1]] = belopp - del_ * (n - 1)
    return result


def ladda_alla(med_användare: bool = False) -> list[Kommun]:
    """Every demo kommun under fixtures/ (``ladda_demodata``)."""
    return [ladda(med_användare, k) for k in kataloger()]


@transaction.atomic
def ladda(med_användare: bool = False, katalog: Path | str | None = None) -> Kommun:
    """One demo kommun from its fixture folder (default: the first of ``kataloger()``)."""
    katalog = Path(katalog) if katalog else kataloger()[0]
    demo = _läs_demo(katalog)
    radera(demo["kommun"]["namn"])
    kommun = Kommun.objects.create(**demo["kommun"])
    if demo.get("format", "publicerad") == "månadsvis":
        _Månadsvis(katalog, demo, kommun).ladda()
    else:
        _publicerad(katalog, demo, kommun)
    _koder(katalog, kommun)
    _layouter(kommun, demo)
    if (katalog / "kolada" / "hamtning.json").is_file():  # Kolada comparison: saved v3 answers (peer groups)
        kolada_jamforelse.ladda_katalog(None, kommun, katalog / "kolada")
    if med_användare:
        _användare(kommun, demo)
    return kommun


def _publicerad(katalog: Path, demo: dict, kommun: Kommun) -> None:
    standardskala(kommun)  # the report uses the standard bedömning words
    nämnd = Nämnd.objects.create(
        kommun=kommun, namn=demo["nämnd"]["namn"], giltig_från=dt.date.fromisoformat(demo["nämnd"]["giltig_från"])
    )
    vo = _verksamhetsområden(katalog, nämnd, demo)
    _ekonomi(katalog, nämnd, vo, demo)
    _volymer(katalog, nämnd)
    _mål(katalog, nämnd, demo)
    _texter(nämnd, demo)


def _koder(katalog: Path, kommun: Kommun) -> None:
    """The ekonomisystem's codes of the kommun's områden (optional ``koder.csv``: namnd; omrade as the path
    "Block / Verksamhet / Enhet"; ansvarskoder; verksamhetskoder, comma-separated, ``74*`` a wildcard), in either
    fixture format. Validated like the admin form (``Verksamhetsområde.clean``)."""
    if not (katalog / "koder.csv").exists():
        return
    områden = list(Verksamhetsområde.objects.filter(nämnd__kommun=kommun).select_related("nämnd"))
    per_id = {o.pk: o for o in områden}

    def sökväg(o: Verksamhetsområde) -> str:
        return f"{sökväg(per_id[o.förälder_id])} / {o.namn}" if o.förälder_id else o.namn

    per_sökväg = {(o.nämnd.namn, sökväg(o)): o for o in områden}
    for rad in läs_csv(katalog, "koder.csv"):
        o = per_sökväg.get((rad["namnd"], rad["omrade"]))
        if o is None:
            raise ValueError(f"Demodata: koder.csv nämner {rad['namnd']}: {rad['omrade']}, som inte finns")
        o.ansvarskoder, o.verksamhetskoder = rad["ansvarskoder"].strip(), rad["verksamhetskoder"].strip()
        o.full_clean()
        o.save(update_fields=["ansvarskoder", "verksamhetskoder"])


def radera(namn: str) -> None:
    """Remove a demo kommun and everything under it (PROTECT FKs are deleted bottom-up)."""
    kommun = Kommun.objects.filter(namn=namn).first()
    if kommun is None:
        return
    Utfall.objects.for_kommun(kommun).delete()
    Prognos.objects.for_kommun(kommun).delete()
    Budgetpost.objects.for_kommun(kommun).delete()
    Investering.objects.for_kommun(kommun).delete()
    Nyckeltalsvärde.objects.for_kommun(kommun).delete()
    Nyckeltal.objects.for_kommun(kommun).filter(förälder__isnull=False).delete()
    Nyckeltal.objects.for_kommun(kommun).delete()
    Nyckeltalsgrupp.objects.for_kommun(kommun).delete()
    Mål.objects.for_kommun(kommun).filter(förälder__isnull=False).delete()
    Mål.objects.for_kommun(kommun).delete()
    områden = Verksamhetsområde.objects.for_kommun(kommun)
    while områden.exists():  # leaves first: förälder is PROTECT
        områden.filter(barn__isnull=True).delete()
    Textavsnitt.objects.for_kommun(kommun).delete()
    Rapportversion.objects.for_kommun(kommun).delete()
    Rapportärende.objects.for_kommun(kommun).delete()
    Utfall.objects.filter(källa__kommun=kommun).delete()
    Import.objects.for_kommun(kommun).delete()
    Periodiseringsprofil.objects.filter(kommun=kommun).delete()
    Kostnadsslag.objects.filter(kommun=kommun).delete()
    Egentabell.objects.filter(kommun=kommun).delete()
    Nämnd.objects.for_kommun(kommun).delete()
    kommun.delete()


def _verksamhetsområden(katalog: Path, nämnd: Nämnd, demo: dict) -> dict[str, Verksamhetsområde]:
    vo: dict[str, Verksamhetsområde] = {}
    block: dict[str, Verksamhetsområde] = {}
    for i, rad in enumerate(läs_csv(katalog, "driftredovisning_helarsprognos_2023.csv"), start=1):
        if rad["block"] == "SUMMA":
            continue
        förälder = None
        if rad["block"]:
            if rad["block"] not in block:
                block[rad["block"]] = Verksamhetsområde.objects.create(
                    nämnd=nämnd, namn=rad["block"], typ=Verksamhetsområde.Typ.BLOCK, ordning=i * 10
                )
            förälder = block[rad["block"]]
        vo[rad["verksamhet"]] = Verksamhetsområde.objects.create(
            nämnd=nämnd, förälder=förälder, namn=rad["verksamhet"], ordning=i * 10
        )
    # Områden that end (demo.json "områden_till_år": namn → the last year), e.g. one moved into another.
    for namn, till_år in demo.get("områden_till_år", {}).items():
        vo[namn].till_år = till_år
        vo[namn].save(update_fields=["till_år"])
    return vo


def _ekonomi(katalog: Path, nämnd: Nämnd, vo: dict[str, Verksamhetsområde], demo: dict) -> None:
    delår = {r["verksamhet"]: r for r in läs_csv(katalog, "driftredovisning_delar_2023.csv")}
    budget: list[Budgetpost] = []
    utfall: list[Utfall] = []
    prognoser: list[Prognos] = []
    for rad in läs_csv(katalog, "driftredovisning_helarsprognos_2023.csv"):
        if rad["block"] == "SUMMA":
            continue
        v, d = vo[rad["verksamhet"]], delår[rad["verksamhet"]]
        budget.append(Budgetpost(verksamhetsområde=v, år=2023, slag="kf", belopp=tkr(rad["kf_budget_helar_2023_tkr"])))
        if rad["tillagg_avdrag_helar_2023_tkr"]:
            budget.append(
                Budgetpost(
                    verksamhetsområde=v,
                    år=2023,
                    slag="tillägg",
                    belopp=tkr(rad["tillagg_avdrag_helar_2023_tkr"]),
                    kommentar="Justering av budgetram under året",
                )
            )
        helår_2022, delår_2022 = tkr(rad["nettokostnad_helar_2022_tkr"]), tkr(d["nettokostnad_delar_2022_tkr"])
        perioder = [
            (2022, range(1, 9), delår_2022),
            (2022, range(9, 13), helår_2022 - delår_2022),
            (2023, range(1, 9), tkr(d["nettokostnad_delar_2023_tkr"])),
        ]
        for år, månader, belopp in perioder:
            for m, b in fördela(belopp, månader).items():
                utfall.append(Utfall(verksamhetsområde=v, år=år, månad=m, belopp=b))
        prognoser.append(
            Prognos(
                verksamhetsområde=v,
                år=2023,
                månad=8,
                belopp=tkr(rad["prognos_nettokostnad_helar_2023_tkr"]),
                kommentar=demo["prognoskommentarer"].get(rad["verksamhet"], ""),
            )
        )
    for rad in läs_csv(katalog, "driftsbudget_2024.csv"):
        if rad["block"] == "SUMMA":
            continue
        v = vo[rad["verksamhet"]]
        # The verksamhetsplan's 2023 column is the nämnd's own distribution of the 2023 ram (see docs/beslut.md).
        budget.append(Budgetpost(verksamhetsområde=v, år=2023, slag="nämnd", belopp=tkr(rad["kf_budget_2023_tkr"])))
        budget.append(Budgetpost(verksamhetsområde=v, år=2024, slag="kf", belopp=tkr(rad["kf_budget_2024_tkr"])))
        budget.append(Budgetpost(verksamhetsområde=v, år=2024, slag="nämnd", belopp=tkr(rad["namndbudget_2024_tkr"])))
    for model, objekt in ((Budgetpost, budget), (Utfall, utfall), (Prognos, prognoser)):
        model.objects.bulk_create(objekt)
        historik.registrera(model, objekt, historik.SKAPAD, orsak="Demodata")

    for i, rad in enumerate(läs_csv(katalog, "investeringar_2023.csv")):
        inv = Investering.objects.create(
            nämnd=nämnd,
            år=2023,
            namn=rad["investering"],
            ordning=i,
            kf_ram=tkr(rad["kf_investeringsram_tkr"]),
            tillägg=tkr(rad["tillagg_investeringsram_tkr"]),
        )
        Investeringsprognos.objects.create(investering=inv, månad=8, belopp=tkr(rad["prognos_investeringsutgift_tkr"]))
    Investering.objects.create(nämnd=nämnd, år=2024, namn="Inventarier", kf_ram=500 * TKR)


def _volymer(katalog: Path, nämnd: Nämnd) -> None:
    grupper: dict[str, Nyckeltalsgrupp] = {}
    värden: list[Nyckeltalsvärde] = []
    kolumner = [(f"utfall_helar_{å}", "utfall_helår", å) for å in range(2019, 2023)] + [
        ("mal_helar_2023", "mål", 2023),
        ("utfall_delar_2023", "utfall_delår", 2023),
        ("prognos_2023", "prognos", 2023),
    ]
    for i, rad in enumerate(läs_csv(katalog, "volymer_nyckeltal_delar_2023.csv")):
        if rad["omrade"] not in grupper:
            grupper[rad["omrade"]] = Nyckeltalsgrupp.objects.create(
                nämnd=nämnd, namn=rad["omrade"], ordning=len(grupper)
            )
        nt = Nyckeltal.objects.create(
            grupp=grupper[rad["omrade"]], namn=rad["nyckeltal"], enhet=rad["enhet"], ordning=i
        )
        for kolumn, typ, år in kolumner:
            if rad[kolumn]:
                värden.append(Nyckeltalsvärde(nyckeltal=nt, år=år, typ=typ, värde=Decimal(rad[kolumn])))
    Nyckeltalsvärde.objects.bulk_create(värden)


def _mål(katalog: Path, nämnd: Nämnd, demo: dict) -> None:
    mål: dict[str, Mål] = {}
    for i, m in enumerate(demo["mål"]):
        mål[m["csv"]] = mål[m["namn"]] = Mål.objects.create(
            nämnd=nämnd,
            namn=m["namn"],
            nivå=m["nivå"],
            förälder=mål.get(m.get("förälder")),
            betyder_att=m["betyder_att"],
            ordning=i,
            från_år=2023,
            till_år=2026,
        )
    uppdrag = []
    for i, rad in enumerate(läs_csv(katalog, "uppdrag.csv")):
        från, _, till = rad["tidsperiod"].partition("-")
        uppdrag.append(
            Uppdrag.objects.create(
                mål=mål[rad["mal"]],
                text=rad["uppdrag"],
                från_år=int(från),
                till_år=int(till or från),
                nivå=rad["niva"],
                ordning=i,
            )
        )
    indikatorer: dict[str, Indikator] = {}
    värden = []
    for rad in läs_csv(katalog, "indikatorer.csv"):
        ind = indikatorer.get(rad["indikator"])
        if ind is None:
            jämförelse, målvärde = demo["målvärden"].get(rad["kolada_id"], ("", None))
            ind = indikatorer[rad["indikator"]] = Indikator.objects.create(
                mål=mål[rad["mal"]],
                namn=rad["indikator"],
                kolada_id=rad["kolada_id"],
                enhet=rad["enhet"],
                riktning=rad["onskad_riktning"].lower(),
                jämförelse=jämförelse,
                målvärde=Decimal(målvärde) if målvärde else None,
                ordning=len(indikatorer),
            )

        def dec(t: str) -> Decimal | None:
            return Decimal(t.replace(",", ".")) if t else None

        värden.append(
            Indikatorvärde(
                indikator=ind,
                år=int(rad["ar"]),
                totalt=dec(rad["utfall_totalt"]),
                kvinnor=dec(rad["utfall_kvinnor"]),
                män=dec(rad["utfall_man"]),
                källa="Kolada" if rad["kolada_id"] else "",
            )
        )
    Indikatorvärde.objects.bulk_create(värden)
    for år, per_rapport in demo["måluppfyllelse"].items():
        for rapporttyp, bedömningar in per_rapport.items():
            for namn, (bedömning, kommentar) in bedömningar.items():
                Måluppfyllelse.objects.create(
                    mål=mål[namn], år=int(år), rapporttyp=rapporttyp, bedömning=bedömning, kommentar=kommentar
                )
    for år, per_rapport in demo["uppdragsstatus"].items():
        for rapporttyp, statusar in per_rapport.items():
            Uppdragsstatus.objects.bulk_create(
                Uppdragsstatus(uppdrag=u, år=int(år), rapporttyp=rapporttyp, status=s)
                for u, s in zip(uppdrag, statusar, strict=True)
            )


def _texter(nämnd: Nämnd, demo: dict) -> None:
    Textavsnitt.objects.bulk_create(
        Textavsnitt(nämnd=nämnd, år=int(år), rapporttyp=typ, rubrik=rubrik, text=text)
        for år, per_typ in demo["texter"].items()
        for typ, texter in per_typ.items()
        for rubrik, text in texter.items()
    )


def _layouter(kommun: Kommun, demo: dict) -> None:
    """The fixture's layouts per report type: a list of sections (every year) or {"från_år": sections}. Områden
    and nämnder are named as in a layout file ("Nämnd: Block / Verksamhet"), so they are read, mapped to this
    kommun's ids and validated by ``rapporter.layouter.läs_fil`` like a file a kommun imports (kostnadsslag, nyckeltal
    and egna tabeller by name too)."""
    for typ, per_år in demo["layouter"].items():
        for från_år, sektioner in per_år.items() if isinstance(per_år, dict) else [(0, per_år)]:
            fil = {"format": layouter.FORMAT, "version": layouter.VERSION, "rapporter": {typ: sektioner}}
            giltiga = layouter.läs_fil(kommun, json.dumps(fil).encode())[typ]
            layout = Rapportlayout.objects.create(kommun=kommun, rapporttyp=typ, från_år=int(från_år))
            Layoutsektion.objects.bulk_create(
                Layoutsektion(layout=layout, ordning=i, typ=s["typ"], rubrik=s["rubrik"], parametrar=s["parametrar"])
                for i, s in enumerate(giltiga)
            )


def _användare(kommun: Kommun, demo: dict) -> None:
    User = get_user_model()
    nämnder = list(Nämnd.objects.filter(kommun=kommun))
    for namn, roll in demo.get("användare", STANDARDANVÄNDARE).items():
        user, _ = User.objects.get_or_create(username=namn, defaults={"is_staff": roll in ("admin", "controller")})
        user.set_password(DEMO_LÖSENORD)
        user.save()
        b, _ = Behörighet.objects.update_or_create(
            user=user,
            kommun=kommun,
            defaults={"roll": roll, "får_importera": roll != "läsare", "får_fastställa": roll == "admin"},
        )
        if roll == "controller":
            b.nämnder.set(nämnder)


def _kr(text: str) -> Decimal | None:
    return Decimal(text.replace(",", ".").replace(" ", "")) if text.strip() else None


class _Månadsvis:
    """The "månadsvis" fixture format: rows as the system stores them (kronor, costs positive, per month)."""

    def __init__(self, katalog: Path, demo: dict, kommun: Kommun) -> None:
        self.katalog, self.demo, self.kommun = katalog, demo, kommun
        self.nämnder: dict[str, Nämnd] = {}
        self.områden: dict[tuple[str, str], Verksamhetsområde] = {}  # (nämnd, "Block / Verksamhet") → område

    def csv(self, namn: str, valfri: bool = False) -> list[dict[str, str]]:
        if valfri and not (self.katalog / namn).exists():
            return []
        return läs_csv(self.katalog, namn)

    def område(self, nämnd: str, sökväg: str) -> Verksamhetsområde:
        return self.områden[(nämnd, sökväg)]

    def ladda(self) -> None:
        skala = self.demo.get("bedömningsskala")
        if skala:
            Bedömningsnivå.objects.bulk_create(
                Bedömningsnivå(kommun=self.kommun, kod=kod, text=text, ordning=i)
                for i, (kod, text) in enumerate(skala, start=1)
            )
        else:
            standardskala(self.kommun)
        for typ, månad in self.demo.get("rapporttillfällen", {}).items():
            t = Rapporttillfälle(kommun=self.kommun, rapporttyp=typ, slutmånad=månad)
            t.full_clean()
            t.save()
        self.organisation()
        self.ekonomi()
        self.investeringar()
        self.nyckeltal()
        self.mål()
        self.egentabeller()
        Textavsnitt.objects.bulk_create(
            Textavsnitt(nämnd=self.nämnder[n], år=år, rapporttyp=typ, rubrik=rubrik, text=text)
            for n, år, typ, rubrik, text in self.demo.get("texter", [])
        )

    def organisation(self) -> None:
        for n in self.demo["nämnder"]:
            self.nämnder[n["namn"]] = Nämnd.objects.create(
                kommun=self.kommun,
                namn=n["namn"],
                giltig_från=dt.date.fromisoformat(n["giltig_från"]),
                giltig_till=dt.date.fromisoformat(n["giltig_till"]) if n.get("giltig_till") else None,
            )
        for n in self.demo["nämnder"]:
            self.nämnder[n["namn"]].föregångare.set([self.nämnder[f] for f in n.get("föregångare", [])])
        länkar = []
        for i, rad in enumerate(self.csv("organisation.csv"), start=1):
            nämnd, sökväg = rad["namnd"], rad["omrade"]
            förälder_sökväg, _, namn = sökväg.rpartition(" / ")
            self.områden[(nämnd, sökväg)] = Verksamhetsområde.objects.create(
                nämnd=self.nämnder[nämnd],
                förälder=self.områden[(nämnd, förälder_sökväg)] if förälder_sökväg else None,
                namn=namn,
                typ=rad["typ"],
                ordning=i * 10,
            )
            if rad["foregangare"]:
                gammal_nämnd, _, gammal_sökväg = rad["foregangare"].partition(": ")
                länkar.append((self.områden[(nämnd, sökväg)], (gammal_nämnd, gammal_sökväg)))
        for ny, föregångare in länkar:
            ny.föregångare.add(self.områden[föregångare])

    def ekonomi(self) -> None:
        profiler = {
            namn: Periodiseringsprofil.objects.create(
                kommun=self.kommun, namn=namn, **dict(zip(PROFILMÅNADER, map(Decimal, map(str, vikter)), strict=True))
            )
            for namn, vikter in self.demo.get("periodiseringsprofiler", {}).items()
        }
        slag = {
            r["kostnadsslag"]: Kostnadsslag.objects.create(
                kommun=self.kommun, namn=r["kostnadsslag"], typ=r["typ"], konton=r["konton"], ordning=i
            )
            for i, r in enumerate(self.csv("kostnadsslag.csv", valfri=True))
        }
        # Rows per kostnadsslag replace the netto row they split (the sums must agree): an område's month (or a
        # budget kind's year) is stored either as one row or per kostnadsslag, never both, or it would count twice.
        u_nyckel, b_nyckel = (
            ("namnd", "omrade", "ar", "manad", "kategori"),
            ("namnd", "omrade", "ar", "slag", "kategori"),
        )
        delade_utfall = self._delade("utfall_kostnadsslag.csv", u_nyckel)
        delad_budget = self._delade("budget_kostnadsslag.csv", b_nyckel)
        budget = [
            Budgetpost(
                verksamhetsområde=self.område(r["namnd"], r["omrade"]),
                år=int(r["ar"]),
                slag=r["slag"],
                kategori=r["kategori"],
                belopp=_kr(r["belopp_kr"]),
                volym=_kr(r["volym"]),
                peng=_kr(r["peng_kr"]),
                profil=profiler[r["profil"]] if r["profil"] else None,
                kommentar=r["kommentar"],
            )
            for r in self._utan_delade("budget.csv", delad_budget, b_nyckel)
        ] + [
            Budgetpost(
                verksamhetsområde=self.område(r["namnd"], r["omrade"]),
                år=int(r["ar"]),
                slag=r["slag"],
                kategori=r["kategori"],
                kostnadsslag=slag[r["kostnadsslag"]],
                belopp=_kr(r["belopp_kr"]),
                profil=profiler[r["profil"]] if r["profil"] else None,
            )
            for rader in delad_budget.values()
            for r in rader
        ]
        utfall = [
            Utfall(
                verksamhetsområde=self.område(r["namnd"], r["omrade"]),
                år=int(r["ar"]),
                månad=int(r["manad"]),
                kategori=r["kategori"],
                kostnadsslag=slag[r["kostnadsslag"]] if r.get("kostnadsslag") else None,
                belopp=_kr(r["belopp_kr"]),
            )
            for r in [
                *self._utan_delade("utfall.csv", delade_utfall, u_nyckel),
                *(r for v in delade_utfall.values() for r in v),
            ]
        ]
        prognoser = [
            Prognos(
                verksamhetsområde=self.område(r["namnd"], r["omrade"]),
                år=int(r["ar"]),
                månad=int(r["manad"]),
                belopp=_kr(r["belopp_kr"]),
                kommentar=r["kommentar"],
            )
            for r in self.csv("prognos.csv")
        ]
        for model, objekt in ((Budgetpost, budget), (Utfall, utfall), (Prognos, prognoser)):
            model.objects.bulk_create(objekt)
            historik.registrera(model, objekt, historik.SKAPAD, orsak="Demodata")

    def _delade(self, namn: str, nyckel: tuple[str, ...]) -> dict[tuple[str, ...], list[dict[str, str]]]:
        delade: dict[tuple[str, ...], list[dict[str, str]]] = {}
        for r in self.csv(namn, valfri=True):
            delade.setdefault(tuple(r[k] for k in nyckel), []).append(r)
        return delade

    def _utan_delade(
        self, namn: str, delade: dict[tuple[str, ...], list[dict[str, str]]], nyckel: tuple[str, ...]
    ) -> list[dict[str, str]]:
        """``namn``'s rows except those split per kostnadsslag; ValueError when a split does not sum to its row."""
        ut, hittade = [], set()
        for r in self.csv(namn):
            k = tuple(r[x] for x in nyckel)
            if k not in delade:
                ut.append(r)
                continue
            hittade.add(k)
            delsumma = sum((Decimal(d["belopp_kr"]) for d in delade[k]), Decimal(0))
            if delsumma != Decimal(r["belopp_kr"]):
                raise ValueError(
                    f"Demodata: raderna per kostnadsslag för {k} summerar till {delsumma}, inte {r['belopp_kr']}"
                )
        if saknas := set(delade) - hittade:
            raise ValueError(f"Demodata: rader per kostnadsslag utan motsvarande rad i {namn}: {sorted(saknas)[:3]}")
        return ut

    def egentabeller(self) -> None:
        """demo.json "egentabeller": [{"namn", "förval" (a preset's code) or "kolumner", "rader": [{"nämnd", "år",
        "värden": {kolumnnamn: text}}]}]; cells are read as typed in the entry page (``egentabeller.tolka_cell``)."""
        for t in self.demo.get("egentabeller", []):
            förval = egentabeller.FÖRVAL[t["förval"]] if t.get("förval") else None
            tabell = Egentabell.objects.create(
                kommun=self.kommun,
                namn=t.get("namn") or (förval.namn if förval else ""),
                beskrivning=t.get("beskrivning", förval.beskrivning if förval else ""),
                förval=t.get("förval", ""),
            )
            utkast = (
                [(k.namn, k.typ, list(k.statusval)) for k in förval.kolumner]
                if förval
                else [(k["namn"], k.get("typ", "text"), k.get("statusval", [])) for k in t["kolumner"]]
            )
            kolumner = {
                namn: Egenkolumn.objects.create(tabell=tabell, namn=namn, typ=typ, statusval=val, ordning=j)
                for j, (namn, typ, val) in enumerate(utkast)
            }
            Egenrad.objects.bulk_create(
                Egenrad(
                    tabell=tabell,
                    nämnd=self.nämnder[r["nämnd"]],
                    år=r["år"],
                    ordning=j,
                    värden={
                        str(kolumner[k].pk): egentabeller.tolka_cell(kolumner[k], v, {}) for k, v in r["värden"].items()
                    },
                )
                for j, r in enumerate(t.get("rader", []))
            )

    def investeringar(self) -> None:
        inv: dict[tuple[str, int, str], Investering] = {}
        for i, r in enumerate(self.csv("investeringar.csv")):
            inv[(r["namnd"], int(r["ar"]), r["investering"])] = Investering.objects.create(
                nämnd=self.nämnder[r["namnd"]],
                år=int(r["ar"]),
                namn=r["investering"],
                ordning=i,
                kf_ram=_kr(r["kf_ram_kr"]),
                tillägg=_kr(r["tillagg_kr"]) or Decimal(0),
                tillägg_kommentar=r["tillagg_kommentar"],
            )
        Investeringsutgift.objects.bulk_create(
            Investeringsutgift(
                investering=inv[(r["namnd"], int(r["ar"]), r["investering"])],
                månad=int(r["manad"]),
                belopp=_kr(r["belopp_kr"]),
            )
            for r in self.csv("investeringsutgifter.csv")
        )
        Investeringsprognos.objects.bulk_create(
            Investeringsprognos(
                investering=inv[(r["namnd"], int(r["ar"]), r["investering"])],
                månad=int(r["manad"]),
                belopp=_kr(r["belopp_kr"]),
                kommentar=r["kommentar"],
            )
            for r in self.csv("investeringsprognoser.csv")
        )

    def nyckeltal(self) -> None:
        grupper: dict[tuple[str, str], Nyckeltalsgrupp] = {}
        nyckeltal: dict[tuple[str, str, str], Nyckeltal] = {}
        värden = []
        for r in self.csv("nyckeltal.csv"):
            g = (r["namnd"], r["grupp"])
            if g not in grupper:
                grupper[g] = Nyckeltalsgrupp.objects.create(nämnd=self.nämnder[g[0]], namn=g[1], ordning=len(grupper))
            n = (*g, r["nyckeltal"])
            if n not in nyckeltal:
                nyckeltal[n] = Nyckeltal.objects.create(
                    grupp=grupper[g],
                    namn=r["nyckeltal"],
                    enhet=r["enhet"],
                    ordning=len(nyckeltal),
                    verksamhetsområde=self.område(r["namnd"], r["omrade"]) if r["omrade"] else None,
                )
            värden.append(
                Nyckeltalsvärde(
                    nyckeltal=nyckeltal[n],
                    år=int(r["ar"]),
                    typ=r["typ"],
                    månad=int(r["manad"]) if r["manad"] else None,
                    värde=_kr(r["varde"]),
                )
            )
        Nyckeltalsvärde.objects.bulk_create(värden)

    def mål(self) -> None:
        mål: dict[tuple[str, str], Mål] = {}
        for i, m in enumerate(self.demo.get("mål", [])):
            mål[(m["nämnd"], m["namn"])] = Mål.objects.create(
                nämnd=self.nämnder[m["nämnd"]],
                namn=m["namn"],
                nivå=m["nivå"],
                förälder=mål.get((m["nämnd"], m.get("förälder", ""))),
                betyder_att=m.get("betyder_att", ""),
                ordning=i,
                från_år=m["från_år"],
                till_år=m.get("till_år"),
            )
        Måluppfyllelse.objects.bulk_create(
            Måluppfyllelse(mål=mål[(n, namn)], år=år, rapporttyp=typ, bedömning=bedömning, kommentar=kommentar)
            for n, namn, år, typ, bedömning, kommentar in self.demo.get("måluppfyllelse", [])
        )
