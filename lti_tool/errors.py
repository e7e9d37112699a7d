"""One error type for users: a code, an HTTP status and a sentence a person understands."""

from __future__ import annotations


class AppError(Exception):
    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class NotFound(AppError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message, status=404)


class PermissionDenied(AppError):
    def __init__(self, message: str = "You do not have access to this.") -> None:
        super().__init__("forbidden", message, status=403)


class TooManyRequests(AppError):
    """Answered with 429 and a Retry-After header."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__("rate_limited", message, status=429)
        self.retry_after = retry_after
