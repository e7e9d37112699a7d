"""The one error type of the platform's service endpoints (AGS, NRPS)."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused service call: an HTTP status and a message meant for the tool's developer."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
