from django.core.management.base import BaseCommand, CommandError

from sharingcity.core.demo import build_demo_city
from sharingcity.core.models import District


class Command(BaseCommand):
    help = "Create the demo city (seeded and reproducible) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2012)
        parser.add_argument(
            "--scale", type=int, default=1, help="multiply the volumes (100 for benchmarks)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the city already exists"
        )

    def handle(self, *args, seed, scale, if_empty, **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        if if_empty and District.objects.exists():
            self.stdout.write("The demo city already exists.")
        else:
            city = build_demo_city(seed=seed, scale=scale, progress=lambda m: self.stderr.write(m))
            self.stdout.write(self.style.SUCCESS(f"Demo city ready: {city.counts}"))
        self.stdout.write("Demo logins (password for all: sharing-city-demo):")
        for role, username in [
            ("resident", "resident"),
            ("department officer", "officer"),
            ("department head", "head"),
            ("bureau admin", "admin"),
            ("citizen overseer", "overseer"),
            ("sharing operator", "operator"),
        ]:
            self.stdout.write(f"  {role:20s} {username}")
