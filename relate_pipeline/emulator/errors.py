"""The one error type the emulator's rules raise, so HTTP framing stays out of the store."""

from __future__ import annotations


class ApiError(Exception):
    """A failure the API reports to the caller as `{"error": {"status", "message", "field"}}`."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def body(self) -> dict:
        return {"error": {"status": self.status, "message": self.message, "field": self.field}}


def not_found(resource: str, resource_id: str) -> ApiError:
    return ApiError(404, f"{resource} {resource_id!r} not found")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, f"{field}: {message}", field)


def bad_request(field: str | None, message: str) -> ApiError:
    return ApiError(400, message, field)
