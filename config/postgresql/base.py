"""Django's PostgreSQL backend, with a health check that skips connections just proven.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every request: one
more round trip on each launch, playback link and upload ticket, which on a busy machine
took as long as the request's real query (bench/load.py). Here a connection that ended a
request without error less than DB_HEALTH_CHECK_AFTER seconds ago (1 by default) is used
as is; one idle for longer is checked, and replaced if dead, as Django does.

The risk, and why it is small: PostgreSQL restarting within that second. Then the next
request on that connection fails (the database outage answer, 503 with a sentence), Django
closes the connection at the end of it (its errors_occurred check), and the request after
reconnects. No library offers this: psycopg_pool's `check` runs on every checkout too.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _proven_at: float | None = None

    def close_if_health_check_failed(self) -> None:
        if self._recently_proven():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called as a request (or a Celery task) starts and ends. At its end,
        # `health_check_done` says the connection ran this request's queries; with no error
        # since, it has just answered. (At the start it is always False: the end reset it.)
        answered = self.connection is not None and self.health_check_done
        answered = answered and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if answered and self.connection is not None:
            self._proven_at = time.monotonic()

    def _recently_proven(self) -> bool:
        if self._proven_at is None or self.connection is None:
            return False
        return time.monotonic() - self._proven_at < settings.DB_HEALTH_CHECK_AFTER
