"""Every source adapter by name: police.uk and one per registry YAML in a directory."""

from __future__ import annotations

import logging
from pathlib import Path

from resolver.adapters.base import SourceAdapter
from resolver.adapters.police_uk import PoliceUkAdapter
from resolver.adapters.registered import RegisteredAdapter
from resolver.sources import SourceSpecError, load_spec

log = logging.getLogger("crimegraph.sources")


def registry_dir(data_dir: Path) -> Path:
    """Where the source registry YAMLs are (``crimegraph demo`` writes them here)."""
    return data_dir / "simulated"


def adapters(
    directory: Path | None, police_uk_files: tuple[Path, ...] = ()
) -> dict[str, SourceAdapter]:
    """police.uk and every registered source in ``directory``, by source name; a YAML that
    cannot be read is logged and left out (the others still work)."""
    police_uk = PoliceUkAdapter(police_uk_files)
    found: dict[str, SourceAdapter] = {police_uk.name: police_uk}
    paths = sorted(directory.glob("*.yaml")) if directory and directory.is_dir() else []
    for path in paths:
        try:
            spec = load_spec(path)
        except SourceSpecError as exc:
            log.warning("source %s not available: %s", path.name, exc)
            continue
        found[spec.system] = RegisteredAdapter(spec)
    return found


def live_adapters(directory: Path | None) -> dict[str, SourceAdapter]:
    """The adapters that take live records, by source name."""
    return {name: a for name, a in adapters(directory).items() if a.live}
