"""One error family for the service: a stable `code`, an HTTP status and whether a retry can help."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error with a stable code string that maps to one HTTP status.

    Codes (also listed in the README):
      - `model_loading` (503, retryable): the model is loading or warming up.
      - `model_failed` (503): loading failed; see `/health`.
      - `overloaded` (503, retryable): the request queue is full.
      - `body_too_large` (413): the request body exceeds `CSM_MAX_BODY_BYTES`.
      - `context_audio_too_long` (413): one clip or all clips together exceed the seconds caps.
      - `context_too_long` (413): prompt positions plus planned frames exceed the model's position budget.
      - `invalid_request` (422): malformed JSON, schema violation, or an unreadable WAV.
      - `generation_failed` (500): the model raised while generating.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        *,
        retryable: bool = False,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Create the error; `details` is copied into the response body."""
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retryable = retryable
        self.details = details or {}

    def to_body(self) -> dict[str, Any]:
        """Return the JSON body sent to clients."""
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "retryable": self.retryable,
        }
        if self.details:
            body["details"] = self.details
        return {"error": body}


def invalid(message: str, **details: Any) -> ServiceError:
    """Shorthand for a 422 `invalid_request`."""
    return ServiceError("invalid_request", message, 422, details=details)


def too_large(code: str, message: str, **details: Any) -> ServiceError:
    """Shorthand for a 413 with one of the `*_too_*` codes."""
    return ServiceError(code, message, 413, details=details)
