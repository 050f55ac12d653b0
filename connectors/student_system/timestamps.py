"""The API's timestamps: ISO 8601 UTC with a trailing `Z`, in `updated_at` and in `?updated_since=`."""

from __future__ import annotations

from datetime import UTC, datetime


def format_updated_since(moment: datetime) -> str:
    """`2026-11-20T00:00:00Z` for the query string; a naive datetime is refused (its zone is a guess)."""
    if moment.tzinfo is None:
        raise ValueError(
            f"updated_since {moment.isoformat()} has no timezone; pass an aware UTC datetime "
            "(e.g. datetime(2026, 11, 20, tzinfo=UTC))"
        )
    moment = moment.astimezone(UTC)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def parse_updated_at(text: str) -> datetime:
    """An `updated_at` value as an aware UTC datetime; raises ValueError for text without a zone."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no timezone")
    return moment.astimezone(UTC)
