"""Extract, compile and check the translations: one command for CI and for translators.

    manage.py translations          # update locale/<lang>/LC_MESSAGES/django.po and djangojs.po
                                    # (Python, templates, storage_backends, frontend/src/*.ts),
                                    # then compile the .mo files
    manage.py translations --check  # the same, then fail listing every untranslated or fuzzy
                                    # entry of the shipped languages (tests/run.sh runs this)

After `translations`, translate the new entries in the .po files (remove `#, fuzzy` once
checked) and run it again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

SHIPPED = ["fr", "es"]  # full catalogs; other LANGUAGES fall back to English
# Not the tool's interface: dependencies, builds, tests and the development LMS.
IGNORE = [
    ".venv",
    "frontend/node_modules",
    "lti_tool/static",
    "staticfiles",
    "tests",
    "dev_lms",
    "bench",
    "data",
    "docker",
    "*.d.ts",
]


class Command(BaseCommand):
    help = "Update, compile and (with --check) check the fr and es translations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="fail on untranslated or fuzzy entries"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # No file:line references: they change with every edit and make the catalogs hard to merge.
        common = {
            "locale": SHIPPED,
            "ignore_patterns": IGNORE,
            "no_obsolete": True,
            "no_location": True,
            "verbosity": 0,
        }
        call_command("makemessages", domain="django", extensions=["html", "py", "txt"], **common)
        call_command("makemessages", domain="djangojs", extensions=["ts"], **common)
        call_command("compilemessages", locale=SHIPPED, ignore_patterns=IGNORE, verbosity=0)
        if not options["check"]:
            return
        missing = [problem for path in self._catalogs() for problem in _problems(path)]
        if missing:
            raise CommandError(
                f"{len(missing)} translations are missing or fuzzy:\n" + "\n".join(missing)
            )
        self.stdout.write(f"Translations complete for {', '.join(SHIPPED)}.")

    def _catalogs(self) -> list[Path]:
        root = Path(settings.LOCALE_PATHS[0])
        return [
            root / language / "LC_MESSAGES" / f"{domain}.po"
            for language in SHIPPED
            for domain in ("django", "djangojs")
        ]


def _problems(path: Path) -> list[str]:
    if not path.is_file():
        return [f"{path}: missing"]
    problems = []
    for flag, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
        result = subprocess.run(  # noqa: S603 - gettext's own tool on our file
            ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(path)],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        )
        for line in result.stdout.splitlines():
            if line.startswith('msgid "') and line != 'msgid ""':
                problems.append(f"{path}: {what}: {line[6:]}")
    return problems
