"""`manage.py reconcile_storage [--tenant ID] [--fix] [--grace-hours N]`: compare what
each storage holds with the database (lti_tool/services/reconcile.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lti_tool.models import Tenant
from lti_tool.services.reconcile import DEFAULT_GRACE, storage_reconcile, storages_to_reconcile
from storage_backends.errors import ProviderError


class Command(BaseCommand):
    help = (
        "List each storage's objects against the database: report orphans (objects with no "
        "row) and rows whose object is missing; --fix deletes orphans older than the grace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", type=int, help="Only this tenant (id).")
        parser.add_argument("--fix", action="store_true", help="Delete old enough orphans.")
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=DEFAULT_GRACE.total_seconds() / 3600,
            help="Orphans younger than this are never deleted (default 24).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = None
        if options["tenant"] is not None:
            tenant = Tenant.objects.filter(pk=options["tenant"]).first()
            if tenant is None:
                raise CommandError(f"No tenant with id {options['tenant']}.")
        grace = timedelta(hours=options["grace_hours"])
        for config, tenant_id in storages_to_reconcile(tenant):
            try:
                report = storage_reconcile(
                    config=config,
                    tenant_id=tenant_id,
                    fix=options["fix"],
                    grace=grace,
                    notify=self.stdout.write,
                )
            except ProviderError as exc:
                self.stderr.write(f"{config or 'default storage'}: {exc.message}")
                continue
            self.stdout.write(
                f"{report.storage}: {report.listed} listed, {report.orphans} orphan(s), "
                f"{report.orphans_deleted} deleted, {report.missing} missing"
                + (f" (skipped: {report.skipped})" if report.skipped else "")
            )
