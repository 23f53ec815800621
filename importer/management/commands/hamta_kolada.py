"""Fetch indicator values for a kommun live from Kolada's API v3 and import them in one transaction.

    manage.py hamta_kolada --kommun 0180 [--kpi U21468,N31814] [--år 2020-2023] [--torrkörning]

Without --kpi: every Kolada-id used by the kommun's indikatorer. All pages of all chunks (≤ 25 ids each) are
fetched first; only when everything has arrived is anything written, through the same parser and plan as an
uploaded Kolada file (``importer.kolada``). A failed fetch or a refused value (closed year, fastställd report)
writes nothing.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from importer import kolada
from nyckeltal.models import Indikator
from nämnd.models import Kommun

# The network call; tests replace it (monkeypatch) so that they never touch the network.
hämta_json = kolada.hämta_json


def tolka_år(värden: list[str]) -> list[int]:
    år: set[int] = set()
    for v in värden:
        for del_ in v.split(","):
            del_ = del_.strip()
            if m := re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", del_):
                år.update(range(int(m[1]), int(m[2]) + 1))
            elif re.fullmatch(r"\d{4}", del_):
                år.add(int(del_))
            elif del_:
                raise CommandError(f"{del_!r} är inte ett år eller ett intervall (t.ex. 2020-2023).")
    return sorted(år)


class Command(BaseCommand):
    help = "Hämtar indikatorvärden från Kolada (API v3) för en kommun och importerar dem i en transaktion."

    def add_arguments(self, parser):
        parser.add_argument("--kommun", required=True, help="Kommunkod, t.ex. 0180.")
        parser.add_argument(
            "--kpi",
            action="append",
            default=[],
            help="Kolada-id, kommaseparerade eller upprepade. Standard: kommunens indikatorer.",
        )
        parser.add_argument(
            "--år",
            dest="år",
            action="append",
            default=[],
            help="År: 2023, 2021,2022 eller 2020-2023. Standard: de fyra senaste åren.",
        )
        parser.add_argument("--torrkörning", action="store_true", help="Visa vad som skulle ändras, skriv inget.")

    def handle(self, *args, **options):
        kommun = Kommun.objects.filter(kommunkod=options["kommun"].strip()).first()
        if kommun is None:
            raise CommandError(f"Ingen kommun har kommunkod {options['kommun']!r}.")
        kpier = sorted({k.strip().upper() for v in options["kpi"] for k in v.split(",") if k.strip()})
        if not kpier:
            kpier = sorted(
                set(Indikator.objects.for_kommun(kommun).exclude(kolada_id="").values_list("kolada_id", flat=True))
            )
        if not kpier:
            raise CommandError(f"{kommun} har inga indikatorer med Kolada-id. Ange --kpi.")
        if bad := [k for k in kpier if not kolada.KPI_MÖNSTER.fullmatch(k)]:
            raise CommandError(f"Ogiltiga Kolada-id: {', '.join(bad)}.")
        år = tolka_år(options["år"]) or list(range(timezone.localdate().year - 4, timezone.localdate().year))

        try:
            sidor = kolada.hämta_sidor(kpier, kommun.kommunkod, år, hämta=hämta_json)
        except kolada.KoladaHämtfel as e:
            raise CommandError(f"Hämtningen från Kolada misslyckades; inget importerades. {e}") from e
        filnamn = f"Kolada API v3: {','.join(kpier)} kommun {kommun.kommunkod} år {år[0]}–{år[-1]}"
        try:
            imp, plan = kolada.importera_svar(kommun, sidor, filnamn[:255], torrkörning=options["torrkörning"])
        except kolada.KoladaImportfel as e:
            raise CommandError("Importen avbröts; inget ändrades:\n" + "\n".join(f"  {f}" for f in e.fel)) from e

        for status, vad, gammalt, nytt in plan.rader:
            self.stdout.write(f"{status}: {vad}: {gammalt or '–'} → {nytt}")
        for n in plan.noteringar:
            self.stdout.write(n)
        sammanfattning = (
            f"{len(sidor)} sidor hämtade. {len(plan.skapade)} nya, {len(plan.ändrade)} reviderade, "
            f"{plan.oförändrade} oförändrade värden."
        )
        if options["torrkörning"]:
            self.stdout.write(f"Torrkörning: inget sparades. {sammanfattning}")
        elif imp is None:
            self.stdout.write(f"Inget att ändra. {sammanfattning}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Import {imp.pk} genomförd. {sammanfattning}"))
