"""Server-side secrets kept in the data directory: made once, mode 600, never in the repo.

A configured value (from the environment) wins; otherwise the key is generated the first
time it is asked for and kept, so ids and hashes made with it stay the same across runs.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def kept_key(path: Path, configured: str | None = None) -> bytes:
    """The configured key, or the one kept at ``path`` (generated there once)."""
    if configured:
        return configured.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip().encode()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()
