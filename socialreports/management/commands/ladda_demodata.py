from django.core.management.base import BaseCommand

from socialreports import demodata


class Command(BaseCommand):
    help = "Laddar demokommunerna ur fixtures/ (en kommun per mapp med demo.json). En befintlig demokommun ersätts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-anvandare",
            action="store_true",
            help="Skapa även demoanvändarna som varje demo.json anger (utan angivna: demo-admin, demo-controller och "
            f"demo-lasare), lösenord {demodata.DEMO_LÖSENORD}. Endast för lokal demo.",
        )

    def handle(self, *args, **opts):
        for kommun in demodata.ladda_alla(med_användare=opts["demo_anvandare"]):
            self.stdout.write(self.style.SUCCESS(f"Demodata laddad: {kommun}."))
