"""A month of real police.uk incidents played to the API as a source system's live feed.

Each street-level row becomes a live record with ``recordId`` ``<file>#<line>`` (the batch
ingest's provenance for the same row), rows interleaved across forces in a seeded order,
posted to ``POST /ingest/police.uk`` at a steady rate. Broken rows are sent too: the API
rejects them with their reason, as the batch ingest quarantines them.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from resolver import readers
from resolver.police_uk import HEADER

STREET_DIR = Path("police-uk") / "street"


class FeedError(RuntimeError):
    """The feed cannot run (no files for the month, the API never came up)."""


def month_files(source_data_dir: Path, month: str) -> list[Path]:
    folder = source_data_dir / STREET_DIR / month
    files = sorted(folder.glob(f"{month}-*-street.csv*"))
    if not files:
        raise FeedError(f"no police.uk street files for {month} in {folder}")
    return files


def latest_month(source_data_dir: Path) -> str:
    months = sorted(p.name for p in (source_data_dir / STREET_DIR).iterdir() if p.is_dir())
    if not months:
        raise FeedError(f"no police.uk months under {source_data_dir / STREET_DIR}")
    return months[-1]


def month_records(source_data_dir: Path, month: str, seed: int = 1) -> list[dict[str, Any]]:
    """Every row of the month's files as a live record, in a seeded interleaved order."""
    records = []
    for path in month_files(source_data_dir, month):
        for row in readers.read_csv(path):
            values = {k: v for k, v in (row.values or {}).items() if k in HEADER}
            records.append({**values, "recordId": f"{path.name}#{row.row_number}"})
    random.Random(seed).shuffle(records)
    return records


@dataclass
class FeedReport:
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    seconds: float = 0.0
    reasons: list[str] = field(default_factory=list)


def wait_until_up(url: str, timeout: float, stop: threading.Event | None = None) -> None:
    deadline = time.monotonic() + timeout
    stop = stop or threading.Event()
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if stop.wait(0.5):
            raise FeedError("stopped before the API came up")
    raise FeedError(f"the API at {url} did not come up within {timeout:.0f}s")


def chunks(records: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]


def play(
    url: str,
    token: str,
    records: list[dict[str, Any]],
    rate: float,
    on_chunk: Callable[[FeedReport], None] | None = None,
    stop: threading.Event | None = None,
) -> FeedReport:
    """Post ``records`` at ``rate`` per second (several small posts a second), until all
    are sent or ``stop`` is set. An API that goes away is a :class:`FeedError` saying how
    far the feed got (what it acknowledged is journalled; the rest is not sent)."""
    size = max(1, round(rate / 5))
    report = FeedReport()
    stop = stop or threading.Event()
    headers = {"authorization": f"Bearer {token}", "content-type": "application/x-ndjson"}
    started = time.monotonic()
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        for chunk in chunks(records, size):
            due = started + report.sent / rate
            if stop.wait(max(0.0, due - time.monotonic())):
                break
            body = "\n".join(json.dumps(r) for r in chunk).encode()
            try:
                response = client.post("/ingest/police.uk", content=body)
            except httpx.TransportError as exc:
                raise FeedError(
                    f"the API at {url} went away after {report.sent:,} records "
                    f"({type(exc).__name__})"
                ) from exc
            if response.status_code != 200:
                raise FeedError(f"the API answered {response.status_code}: {response.text[:300]}")
            answer = response.json()
            report.sent += len(chunk)
            report.accepted += answer["accepted"]
            report.duplicates += answer["duplicates"]
            report.rejected += answer["rejected"]
            report.reasons += [r["reason"] for r in answer["records"] if r["reason"]][:5]
            if on_chunk:
                on_chunk(report)
    report.seconds = time.monotonic() - started
    return report
