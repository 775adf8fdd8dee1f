"""The source registry: one small YAML file per source system, saying how to read it.

```yaml
system: police_a                 # the source system's name (provenance on every record)
title: South Wales and Gwent police records system
format: csv                      # csv (also .csv.gz) | jsonl | parquet
file: police_a.csv               # relative to this YAML file; globs allowed
entity_types: [person, incident]
fields:                          # source column → canonical field (resolver/schema.py)
  Surname: surname               # several columns may feed one field (joined with ", ")
date_formats:                    # optional strptime formats tried first, per canonical field
  date_of_birth: ["%d/%m/%Y"]
codes:                           # optional code lists: source value → canonical value
  role: {SUSPECT: suspect}
```
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from resolver.schema import FIELD_NAMES

FORMATS = ("csv", "jsonl", "parquet")


class SourceSpecError(ValueError):
    """A registry YAML file that cannot be used, with the file and key named."""


@dataclass(frozen=True)
class SourceSpec:
    system: str
    title: str
    file_format: str
    files: tuple[Path, ...]
    fields: dict[str, str]
    entity_types: tuple[str, ...] = ("person", "incident")
    date_formats: dict[str, list[str]] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    spec_path: Path | None = None

    def columns_for(self, canonical: str) -> list[str]:
        """The source columns that feed one canonical field, in the YAML's order."""
        return [column for column, target in self.fields.items() if target == canonical]


def load_spec(path: Path) -> SourceSpec:
    """Read and check a registry YAML file; errors name the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceSpecError(f"{path}: no such file") from exc
    except yaml.YAMLError as exc:
        raise SourceSpecError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SourceSpecError(f"{path}: expected a mapping at the top level")

    def need(key: str) -> object:
        if key not in raw or raw[key] in (None, ""):
            raise SourceSpecError(f"{path}: missing '{key}'")
        return raw[key]

    system = str(need("system"))
    file_format = str(need("format")).lower()
    if file_format not in FORMATS:
        raise SourceSpecError(
            f"{path}: format must be one of {', '.join(FORMATS)}, got {file_format!r}"
        )
    fields = need("fields")
    if not isinstance(fields, dict):
        raise SourceSpecError(f"{path}: 'fields' must map source columns to canonical fields")
    unknown = {str(k): str(v) for k, v in fields.items() if str(v) not in FIELD_NAMES}
    if unknown:
        column, target = next(iter(unknown.items()))
        raise SourceSpecError(
            f"{path}: fields.{column}: unknown canonical field {target!r} "
            f"(known: {', '.join(sorted(FIELD_NAMES))})"
        )
    pattern = str(need("file"))
    base = path.parent
    matches = sorted(Path(m) for m in glob.glob(str(base / pattern), recursive=True))
    if not matches:
        raise SourceSpecError(f"{path}: file: nothing matches {base / pattern}")
    codes = {
        str(k): {str(a): str(b) for a, b in (v or {}).items()}
        for k, v in (raw.get("codes") or {}).items()
    }
    date_formats = {str(k): [str(f) for f in v] for k, v in (raw.get("date_formats") or {}).items()}
    return SourceSpec(
        system=system,
        title=str(raw.get("title", system)),
        file_format=file_format,
        files=tuple(matches),
        fields={str(k): str(v) for k, v in fields.items()},
        entity_types=tuple(raw.get("entity_types") or ("person", "incident")),
        date_formats=date_formats,
        codes=codes,
        spec_path=path,
    )
