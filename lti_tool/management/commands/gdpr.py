"""`manage.py gdpr export|erase --tenant ID (--sub SUB | --email EMAIL)`: one person's data
as a zip of JSON with signed video links, or their erasure (lti_tool/services/privacy.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lti_tool.errors import AppError
from lti_tool.services.privacy import person_erase, person_export, person_find


class Command(BaseCommand):
    help = "Export (zip of JSON + signed links) or erase one person's data in one tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("--tenant", type=int, required=True)
        parser.add_argument("--sub", default="", help="The person's LTI subject.")
        parser.add_argument("--email", default="")
        parser.add_argument("--out", help="Where the export's zip goes (export).")
        parser.add_argument("--base-url", default="", help="The tool's origin, for local links.")
        parser.add_argument("--drop-grades", action="store_true", help="Erase grades too.")
        parser.add_argument("--by", default="manage.py", help="Who asked (for the audit trail).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            people = person_find(
                tenant_id=options["tenant"], sub=options["sub"], email=options["email"]
            )
        except AppError as exc:
            raise CommandError(exc.message) from exc
        if options["action"] == "export":
            if not options["out"]:
                raise CommandError("--out is required for an export.")
            data = person_export(
                people=people, requested_by=options["by"], base_url=options["base_url"]
            )
            Path(options["out"]).write_bytes(data)
            self.stdout.write(f"Exported to {options['out']} ({len(data)} bytes).")
            return
        deleted = person_erase(
            people=people, requested_by=options["by"], keep_grades=not options["drop_grades"]
        )
        self.stdout.write(f"Erased: {deleted} video(s) deleted, name and email removed.")
