"""Compile every app's .po catalogue to .mo with Babel (pure Python), so a fresh machine needs
no GNU gettext tools; Django's compilemessages does the same where msgfmt is installed."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.core.management.base import BaseCommand, CommandError

import sharingcity


class Command(BaseCommand):
    help = "Compile the .po translation catalogues of Sharing City to .mo files."

    def handle(self, *args, **options):
        root = Path(sharingcity.__file__).parent
        compiled = 0
        for po_path in sorted(root.glob("**/locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            try:
                with po_path.open("rb") as po:
                    catalog = read_po(po, locale=po_path.parent.parent.name)
            except Exception as error:  # Babel raises several kinds for a broken file
                raise CommandError(f"{po_path}: {error}") from error
            with mo_path.open("wb") as mo:
                write_mo(mo, catalog, use_fuzzy=False)
            compiled += 1
        self.stdout.write(f"{compiled} translation catalogues compiled")
