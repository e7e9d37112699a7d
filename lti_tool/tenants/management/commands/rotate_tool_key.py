"""Add a new current tool signing key; older keys stay published until retired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lti_tool.models import ToolKey
from lti_tool.tenants.tool_keys import KeyNotRetirable, tool_key_retire, tool_key_rotate


class Command(BaseCommand):
    help = "Rotate the tool's RSA signing key (use --retire KID to stop publishing an old one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retire", metavar="KID", help="Retire this old key instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retire"]:
            try:
                tool_key_retire(kid=options["retire"])
            except KeyNotRetirable as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Retired {options['retire']}; it is no longer published.")
            return
        key = tool_key_rotate()
        published = ToolKey.objects.filter(retired_at__isnull=True).count()
        self.stdout.write(f"New current key: {key.kid} ({published} keys published)")
