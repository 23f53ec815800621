"""Send the due deadline reminders (for installations without celery beat: run daily from cron)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from publicering import paminnelser


class Command(BaseCommand):
    help = "Skickar påminnelser per e-post om sektioners deadline (en gång per sektion, ansvarig och slag)."

    def add_arguments(self, parser):
        parser.add_argument("--datum", help="Räkna som om det vore detta datum (ÅÅÅÅ-MM-DD); standard i dag.")

    def handle(self, *args, datum=None, **options):
        try:
            dag = dt.date.fromisoformat(datum) if datum else None
        except ValueError as e:
            raise CommandError("Datum skrivs ÅÅÅÅ-MM-DD, t.ex. 2026-08-31.") from e
        antal = paminnelser.skicka(dag)
        self.stdout.write(f"{antal} {'påminnelse' if antal == 1 else 'påminnelser'} skickade.")
