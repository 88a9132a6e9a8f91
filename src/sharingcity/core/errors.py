"""Domain errors: one shape everywhere. The API renders them as ``{code, message, details}``
and pages render them as form errors (``core.http``)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule said no. ``code`` is stable and machine-readable; ``message`` is for people."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        field: str | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.details = dict(details or {})
        self.field = field  # the form field the error belongs to, when there is one

    def as_dict(self) -> dict[str, Any]:
        details = dict(self.details)
        if self.field:
            details.setdefault("field", self.field)
        return {"code": self.code, "message": self.message, "details": details}


class InvalidInput(DomainError):
    status = 400


class NotAllowed(DomainError):
    status = 403

    def __init__(
        self, message: str, details: dict[str, Any] | None = None, *, code: str = "forbidden"
    ):
        super().__init__(code, message, details)


class NotFound(DomainError):
    status = 404

    def __init__(
        self, message: str, details: dict[str, Any] | None = None, *, code: str = "not_found"
    ):
        super().__init__(code, message, details)


class Conflict(DomainError):
    status = 409
