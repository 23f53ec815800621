"""Fetch a kommun's Kolada peer groups and the comparison values (the groups, their members and riket) live.

    manage.py hamta_kolada_grupper --kommun 0180 [--år 2021-2024] [--från-datum 2026-11-01] [--bara-grupper]

The groups are Kolada's municipality groups (``/v3/municipality_groups``) that have the kommun as a member; the
first becomes the kommun's standard group unless it has one. Then, for every indikator with a Kolada-id, its
group's (or the standard group's) members, the group itself and riket (0000) for the last four years. With
``--från-datum`` Kolada answers only values changed since that date: the changed ones are recorded as revisions.
The groups are saved first (one transaction); then all values are fetched before any is written (one
transaction): a failed value fetch leaves the groups but changes no value.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from importer import kolada, kolada_jamforelse
from importer.management.commands.hamta_kolada import tolka_år
from nämnd.models import Kommun

# The network call; tests replace it (monkeypatch) so that they never touch the network.
hämta_json = kolada.hämta_json


class Command(BaseCommand):
    help = "Hämtar kommunens jämförelsegrupper och jämförelsevärden (grupper, medlemmar, riket) från Kolada (API v3)."

    def add_arguments(self, parser):
        parser.add_argument("--kommun", required=True, help="Kommunkod, t.ex. 0180.")
        parser.add_argument("--år", dest="år", action="append", default=[], help="År: 2023 eller 2020-2023.")
        parser.add_argument("--från-datum", dest="från_datum", help="Bara värden ändrade sedan (ÅÅÅÅ-MM-DD).")
        parser.add_argument("--bara-grupper", action="store_true", help="Hämta grupperna men inga värden.")

    def handle(self, *args, **options):
        kommun = Kommun.objects.filter(kommunkod=options["kommun"].strip()).first()
        if kommun is None or not kommun.kommunkod:
            raise CommandError(f"Ingen kommun har kommunkod {options['kommun']!r}.")
        från = None
        if options["från_datum"]:
            try:
                från = dt.date.fromisoformat(options["från_datum"])
            except ValueError:
                raise CommandError(f"{options['från_datum']!r} är inte ett datum (ÅÅÅÅ-MM-DD).") from None
        år = tolka_år(options["år"]) or None
        try:
            grupper = kolada_jamforelse.hämta_grupper(None, kommun, hämta=hämta_json)
            self.stdout.write(f"{len(grupper)} jämförelsegrupper: " + ", ".join(g.namn for g in grupper))
            if options["bara_grupper"]:
                return
            h = kolada_jamforelse.hämta_jämförelse(None, kommun, hämta=hämta_json, år=år, från_datum=från)
        except kolada.KoladaHämtfel as e:
            raise CommandError(f"Hämtningen från Kolada misslyckades; inget sparades. {e}") from e
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(h.adresser)} adresser hämtade. {h.antal_nya} nya, {h.antal_reviderade} reviderade, "
                f"{h.antal_oförändrade} oförändrade värden."
            )
        )
