"""The one error type for failures of an outside service: a storage provider, an LMS's
grade or roster service (AGS, NRPS), an LMS during dynamic registration.

Like healthchecks' `TransportError`: one class, one `permanent` flag. A permanent error
(the request itself is wrong, access is refused, the object is gone) is never retried; the
others (timeouts, connection errors, 429, 5xx) are, honouring the provider's `retry_after`
(seconds) when it gave one. `code` is a stable machine word (also shown to API clients for
storage errors); `status` is the provider's HTTP status when there was an answer. This is
a plain library module: the app decides what a person reads.
"""

from __future__ import annotations

from collections.abc import Callable


class ProviderError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        code: str = "provider_error",
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code
        self.status = status
        for observer in _observers:
            observer(self)


# The code `delete_video` raises after the bytes are gone, when only a CDN was not told to
# drop its cached copy (refused: a wrong distribution, no permission). The copy expires with
# the cache; the deletion itself is done, and asking again would be refused again.
CDN_COPY_LEFT = "cdn_invalidation_failed"

# Called with every ProviderError as it is made (the app counts them for its metrics).
_observers: list[Callable[[ProviderError], None]] = []


def observe_provider_errors(observer: Callable[[ProviderError], None]) -> None:
    if observer not in _observers:
        _observers.append(observer)
