from django.core.management.base import BaseCommand

from socialreports import demodata


class Command(BaseCommand):
    help = "Laddar demokommunen (Knivsta socialnämnd, delårsrapport 2023 och verksamhetsplan 2024)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-anvandare",
            action="store_true",
            help=f"Skapa även användarna demo-admin, demo-controller och demo-lasare (lösenord {demodata.DEMO_LÖSENORD}). "
            "Endast för lokal demo.",
        )

    def handle(self, *args, **opts):
        kommun = demodata.ladda(med_användare=opts["demo_anvandare"])
        self.stdout.write(self.style.SUCCESS(f"Demodata laddad: {kommun}."))
