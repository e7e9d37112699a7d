"""Run the embedded default: migrate, register the development LMS, serve on 127.0.0.1."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Migrate and start the development server with the development LMS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEV_LMS_ENABLED:
            raise CommandError("devserver needs DEBUG or DEV_LMS=1 (never in production).")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        url = f"http://{options['addrport']}/dev-lms/"
        self.stdout.write(self.style.SUCCESS(f"\n  Open {url}\n"))
        call_command("runserver", options["addrport"], use_reloader=False)
