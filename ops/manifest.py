"""A backup's manifest: what it holds (files with sizes and SHA-256), the versions that
made it, and the counts and checksums a restore must give back.

A restore trusts nothing in a backup the manifest does not vouch for: a file missing, of
another size or checksum, a manifest of an unknown format or schema versions newer than
this crimegraph knows, and it refuses before touching anything.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.errors import CrimegraphError
from core.warehouse import file_sha256
from core.warehouse_versions import VERSION as WAREHOUSE_VERSION
from graph.schema_version import VERSION as GRAPH_VERSION

NAME = "manifest.json"
FORMAT = 1


class BackupError(CrimegraphError):
    """A backup that cannot be made, or one that cannot be trusted to restore."""


@dataclass
class Manifest:
    created_at: str
    crimegraph: str
    warehouse_schema: int | None
    graph_schema: int | None
    neo4j: str | None
    gds: str | None
    files: dict[str, dict[str, int | str]] = field(default_factory=dict)  # path → bytes, sha256
    warehouse: dict[str, dict[str, int | str]] = field(
        default_factory=dict
    )  # table → rows, checksum
    journal: dict[str, int] | None = None
    graph: dict[str, object] | None = None
    # whether the graph counts were taken with nothing writing (before == after the dump)
    graph_quiet: bool = True
    format: int = FORMAT

    def write(self, directory: Path) -> Path:
        path = directory / NAME
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        return path

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / NAME
        if not path.is_file():
            raise BackupError(f"{directory} is not a crimegraph backup: no {NAME}")
        try:
            data = json.loads(path.read_text())
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"{path}: backup format {data.get('format')!r}, this crimegraph reads {FORMAT}"
                )
            return cls(**data)
        except (ValueError, TypeError) as exc:
            raise BackupError(f"{path}: not a readable manifest ({exc})") from exc

    def refuse_untrusted(self, directory: Path) -> None:
        """Raise unless every file is there as recorded and this crimegraph knows the
        schemas; names every file that differs."""
        problems = []
        if (self.warehouse_schema or 0) > WAREHOUSE_VERSION:
            problems.append(
                f"warehouse schema {self.warehouse_schema} is newer than this crimegraph's "
                f"({WAREHOUSE_VERSION})"
            )
        if (self.graph_schema or 0) > GRAPH_VERSION:
            problems.append(
                f"graph schema {self.graph_schema} is newer than this crimegraph's "
                f"({GRAPH_VERSION})"
            )
        for name, recorded in sorted(self.files.items()):
            path = directory / name
            if not path.is_file():
                problems.append(f"{name}: missing")
            elif path.stat().st_size != recorded["bytes"]:
                problems.append(
                    f"{name}: {path.stat().st_size} bytes, the manifest says {recorded['bytes']}"
                )
            elif file_sha256(path) != recorded["sha256"]:
                problems.append(f"{name}: its SHA-256 is not the manifest's")
        if problems:
            raise BackupError(f"{directory} does not match its manifest: " + "; ".join(problems))


def describe(directory: Path, names: list[str]) -> dict[str, dict[str, int | str]]:
    """Size and SHA-256 of each file (paths relative to the backup directory)."""
    return {
        name: {"bytes": (directory / name).stat().st_size, "sha256": file_sha256(directory / name)}
        for name in names
    }
