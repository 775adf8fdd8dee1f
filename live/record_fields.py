"""Reading one live record: a JSON object's columns as text, its ``recordId`` and
``idempotencyKey``, and the one shape of a refusal (``Rejected``) every live source uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_ID = 200


@dataclass(frozen=True)
class Rejected:
    """Why one record was refused: its position (1-based), field and reason."""

    row: int
    field: str | None
    reason: str

    @property
    def message(self) -> str:
        where = f"record {self.row}" + (f", field {self.field!r}" if self.field else "")
        return f"{where}: {self.reason}"


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(type(value).__name__)
    return str(value)


def identifier(record: dict[str, Any], name: str, row: int) -> str | Rejected | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        return Rejected(row, name, f"must be a string, got {type(value).__name__}")
    text = str(value).strip()
    if not text or len(text) > MAX_ID:
        return Rejected(row, name, f"must be 1-{MAX_ID} characters")
    return text


def read_record(
    record: Any, columns: Iterable[str], row: int
) -> tuple[dict[str, str], str | None, str | None] | Rejected:
    """A live record's columns as text, its ``recordId`` and its ``idempotencyKey``, or
    why it cannot be read (not an object, a value that is not text, a bad id)."""
    if not isinstance(record, dict):
        return Rejected(row, None, f"must be a JSON object, got {type(record).__name__}")
    values: dict[str, str] = {}
    for name in columns:
        try:
            values[name] = text(record.get(name))
        except TypeError as exc:
            return Rejected(row, name, f"must be a string or number, got {exc}")
    record_id = identifier(record, "recordId", row)
    key = identifier(record, "idempotencyKey", row)
    for found in (record_id, key):
        if isinstance(found, Rejected):
            return found
    return values, record_id, key
