"""What one ingest run did to each file, the same for every source adapter."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileReport:
    """One file of one source: ``rows_in == rows_loaded + rows_quarantined`` when it was
    read; ``error`` says why it could not be read at all (the other files still load)."""

    source: str
    source_file: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    fields_dropped: int = 0  # values dropped from rows that were kept
    skipped_unchanged: bool = False
    error: str | None = None
    reader: str | None = None  # police.uk: "columns" (set-wise) or "rows" (row by row)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if f.error]
