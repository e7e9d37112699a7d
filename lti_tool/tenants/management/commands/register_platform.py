"""Register (or update) an LMS platform and print what its administrator needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from lti_tool.tenants.platforms import platform_register


class Command(BaseCommand):
    help = "Create or update an LTI 1.3 platform registration (keyed by issuer + client id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="Institution name")
        parser.add_argument("--issuer", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--auth-login-url", required=True)
        parser.add_argument("--auth-token-url", required=True)
        parser.add_argument("--keyset-url", required=True)
        parser.add_argument("--deployment-id", action="append", required=True, dest="deployments")
        parser.add_argument(
            "--token-audience",
            default=None,
            help="The `aud` of the tool's client assertion when the LMS wants another than its "
            "token URL (Brightspace: https://api.brightspace.com/auth/token)",
        )
        parser.add_argument(
            "--tool-url",
            default=getattr(settings, "TOOL_BASE_URL", "http://127.0.0.1:8000"),
            help="Public base URL of this tool, used to print its endpoints",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        registration = platform_register(
            tenant_name=options["tenant"],
            issuer=options["issuer"],
            client_id=options["client_id"],
            auth_login_url=options["auth_login_url"],
            auth_token_url=options["auth_token_url"],
            keyset_url=options["keyset_url"],
            deployment_ids=options["deployments"],
            token_audience=options["token_audience"],
        )
        base = options["tool_url"].rstrip("/")
        self.stdout.write(f"Registration id: {registration.pk}")
        self.stdout.write(f"Tenant: {registration.tenant.name}")
        self.stdout.write(f"Login URL (OIDC initiation): {base}{reverse('lti:login')}")
        self.stdout.write(f"Launch / redirect URL: {base}{reverse('lti:launch')}")
        self.stdout.write(f"Public keyset (JWKS) URL: {base}{reverse('lti:jwks')}")
