"""Django's PostgreSQL backend, with a health check that needs no round trip while a
connection is in use.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every request and
task: one more round trip on each launch, playback link, upload ticket and purge, which on a
busy machine took as long as the request's real query (bench/load.py, bench/tasks.py).

Here a connection that answered the previous request or task less than
DB_HEALTH_CHECK_AFTER seconds ago (1 by default) is checked by looking at its socket
instead: a server that ended it (a restart, pg_terminate_backend, an idle timeout) has sent
its goodbye or closed the socket, which is then readable; only then, or after a longer
pause, is the `SELECT 1` sent (and a dead connection replaced, as Django does).

What this misses: a connection whose server vanished without a word (a host crash, a cut
network) within that second. Its next query fails (the outage answer, 503 with a sentence),
Django closes it at the end of that request (its errors_occurred check), and the next
request reconnects. No library offers this: psycopg_pool's `check` is a round trip too.
"""

from __future__ import annotations

import select
import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _answered_at: float | None = None

    def close_if_health_check_failed(self) -> None:
        if self._answered_recently() and not self._server_wrote():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called as a request (or a Celery task) starts and as it ends. At its end,
        # `health_check_done` says the connection ran its queries; with no error since, it
        # has just answered. (At the start it is always False: the end reset it.)
        answered = self.connection is not None and self.health_check_done
        answered = answered and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if answered and self.connection is not None:
            self._answered_at = time.monotonic()

    def _answered_recently(self) -> bool:
        if self._answered_at is None or self.connection is None:
            return False
        return time.monotonic() - self._answered_at < settings.DB_HEALTH_CHECK_AFTER

    def _server_wrote(self) -> bool:
        """Between queries the server sends nothing, unless it is ending the connection."""
        readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        return bool(readable)
