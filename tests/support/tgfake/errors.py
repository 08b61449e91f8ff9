"""Bot API error answers, with the descriptions the real server uses."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Raised by method handlers; the server turns it into ``{"ok": false, ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def retry_after(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def method_not_found() -> ApiError:
    return ApiError(404, "Not Found: method not found")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
