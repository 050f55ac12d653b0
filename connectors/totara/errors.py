"""Errors from Totara: the site unreachable, the credentials refused, the API failing, or an export unusable.

Every message names where it happened (endpoint URL or file) and never contains the client secret or a token.
"""

from __future__ import annotations

from pathlib import Path


class TotaraError(Exception):
    """Anything that stops Learnscape getting data out of Totara."""


class TotaraUnavailableError(TotaraError):
    """The site could not be reached at all (connection refused, name not resolved, connect timeout)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"Totara site unreachable at {url}: {reason}. Check the configured base URL and that the site is up."
        )


class TotaraAuthError(TotaraError):
    """The site refused to issue or accept a token for the configured API client."""

    def __init__(self, endpoint: str, error_description: str, *, error: str | None = None) -> None:
        self.endpoint = endpoint
        self.error = error
        self.error_description = error_description
        code = f" ({error})" if error else ""
        super().__init__(
            f"Totara refused the API client credentials at {endpoint}: {error_description}{code}. "
            "Check the client id and secret of the site's API client."
        )


class TotaraApiError(TotaraError):
    """A GraphQL request failed: an error in the response, or transient failures beyond the retry budget."""

    def __init__(
        self,
        endpoint: str,
        operation: str,
        detail: str,
        *,
        debug_message: str | None = None,
        status: int | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.operation = operation
        self.detail = detail
        self.debug_message = debug_message
        self.status = status
        super().__init__(f"Totara {operation} at {endpoint} failed: {detail}")


class TotaraRecordError(TotaraError):
    """A record the API returned cannot be read (a field missing or of the wrong kind)."""

    def __init__(self, operation: str, record_id: str | None, field: str, value: object, reason: str) -> None:
        self.operation = operation
        self.record_id = record_id
        self.field = field
        self.value = value
        super().__init__(f"Totara {operation} record id {record_id!r}: field {field!r} value {value!r} {reason}")


class TotaraExportError(TotaraError):
    """A Report Builder export file that cannot be read at all (row problems are reported, not raised)."""

    def __init__(self, file: Path | str, reason: str) -> None:
        self.file = Path(file)
        self.reason = reason
        super().__init__(f"{self.file}: {reason}")
