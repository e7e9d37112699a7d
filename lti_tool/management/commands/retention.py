"""`manage.py retention [--dry-run] [--tenant ID]`: delete videos past their tenant's
retention through the deletion path (grades stay), or list them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lti_tool.services.retention import retention_sweep


class Command(BaseCommand):
    help = "Delete (or list, with --dry-run) videos past their tenant's retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")
        parser.add_argument("--tenant", type=int, help="Only this tenant (id).")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        result = retention_sweep(dry_run=dry_run, tenant_id=options["tenant"])
        verb = "would delete" if dry_run else "deleted"
        for pk, expires_at, days in result.listed:
            self.stdout.write(
                f"{verb} submission {pk} (expired {expires_at:%Y-%m-%d}, {days} days)"
            )
        self.stdout.write(f"{len(result.listed)} video(s) {verb}.")
