"""Failures an action reports to its caller; the web layer maps them to problem+json or socket errors."""

from __future__ import annotations


class ActionError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Invalid(ActionError):
    status, code, title = 422, "invalid", "Invalid input"


class TooLong(ActionError):
    status, code, title = 422, "too_long", "Too long"


class NotFound(ActionError):
    status, code, title = 404, "not_found", "Not found"


class Forbidden(ActionError):
    status, code, title = 403, "forbidden", "Forbidden"


class Unauthorized(ActionError):
    status, code, title = 401, "unauthorized", "Not signed in"


class RateLimited(ActionError):
    status, code, title = 429, "rate_limited", "Too many requests"


class Unavailable(ActionError):
    status, code, title = 503, "unavailable", "Temporarily unavailable"


class Conflict(ActionError):
    status, code, title = 409, "conflict", "Conflict"
