"""Deployment checks (`manage.py check --deploy`) for what only shows at the first request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks import Tags, register


@register(Tags.staticfiles, deploy=True)
def static_files_collected(**_: Any) -> list[checks.CheckMessage]:
    """Production serves hashed static files from a manifest: without `collectstatic`,
    every page with a stylesheet (the admin) answers 500."""
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" not in backend:
        return []
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        return []
    return [
        checks.Warning(
            f"The static files are not collected ({manifest} is missing): pages would answer 500.",
            hint="Run `python manage.py collectstatic --noinput` (the image does it).",
            id="lti_ops.W001",
        )
    ]
