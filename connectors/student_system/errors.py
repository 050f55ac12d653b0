"""The one exception the student system connector raises when the API cannot give it what it asked for."""

from __future__ import annotations


class StudentSystemError(Exception):
    """A request to the student system failed for good (after any retries).

    The message starts with the URL (which never carries the API key: that travels only in a header) and says
    what came back and what to check. `status` is the last HTTP status seen (None if no response arrived) and
    `code` the API's own error code when it sent one.
    """

    def __init__(self, url: str, message: str, *, status: int | None = None, code: str | None = None) -> None:
        self.url = url
        self.status = status
        self.code = code
        self.reason = message
        super().__init__(f"{url}: {message}")
