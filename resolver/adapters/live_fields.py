"""Reading one live record: a JSON object's columns as text, its ``recordId`` and
``idempotencyKey``; a refusal is ``core.rejections.RejectedRow``, as in the batch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.rejections import RejectedRow

MAX_ID = 200


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(type(value).__name__)
    return str(value)


def identifier(record: dict[str, Any], name: str, row: int) -> str | RejectedRow | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        return RejectedRow(row, name, f"must be a string, got {type(value).__name__}")
    text = str(value).strip()
    if not text or len(text) > MAX_ID:
        return RejectedRow(row, name, f"must be 1-{MAX_ID} characters")
    return text


def read_record(
    record: Any, columns: Iterable[str], row: int
) -> tuple[dict[str, str], str | None, str | None] | RejectedRow:
    """A live record's columns as text, its ``recordId`` and its ``idempotencyKey``, or
    why it cannot be read (not an object, a value that is not text, a bad id)."""
    if not isinstance(record, dict):
        return RejectedRow(row, None, f"must be a JSON object, got {type(record).__name__}")
    values: dict[str, str] = {}
    for name in columns:
        try:
            values[name] = text(record.get(name))
        except TypeError as exc:
            return RejectedRow(row, name, f"must be a string or number, got {exc}")
    record_id = identifier(record, "recordId", row)
    key = identifier(record, "idempotencyKey", row)
    for found in (record_id, key):
        if isinstance(found, RejectedRow):
            return found
    return values, record_id, key
