"""Re-encrypt every stored credential with the newest FIELD_ENCRYPTION_KEYS key.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it),
deploy, run this command, then drop the old keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from lti_tool.encryption import rotate
from lti_tool.models import StorageConfig


class Command(BaseCommand):
    help = "Re-encrypt stored tenant credentials with the newest encryption key."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        configs = StorageConfig.objects.select_for_update().exclude(secrets_encrypted="")
        count = 0
        for config in configs:
            config.secrets_encrypted = rotate(config.secrets_encrypted)
            # update(), not save(): the configuration did not change, so cached backend
            # instances (keyed by updated_at) stay valid.
            StorageConfig.objects.filter(pk=config.pk).update(
                secrets_encrypted=config.secrets_encrypted
            )
            count += 1
        self.stdout.write(f"Re-encrypted the credentials of {count} storage configurations.")
