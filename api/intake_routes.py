"""``POST /ingest/{source}``: a source system's feed in one request, JSON lines or CSV.

The same intake as the ``ingestRecords`` mutation (same checks, journal and answer);
a line that is not JSON is rejected by its line number like any other bad record.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.errors import BAD_USER_INPUT, FORBIDDEN, INSUFFICIENT_STORAGE
from api.permissions import allowed
from live import intake

MAX_BYTES = 8 * 1024 * 1024
_CAMEL = {"record_id": "recordId"}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def parse_body(body: bytes, content_type: str) -> list[Any | intake.RecordStatus]:
    """Records in order; a line that cannot be read is its rejection instead."""
    text = body.decode("utf-8-sig")
    if "csv" in content_type:
        return list(csv.DictReader(io.StringIO(text, newline="")))
    out: list[Any | intake.RecordStatus] = []
    for n, line in enumerate((ln for ln in text.splitlines() if ln.strip()), 1):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            reason = f"record {n}: not JSON ({exc.msg}, column {exc.colno})"
            out.append(intake.RecordStatus(n, intake.REJECTED, reason=reason))
    return out


async def ingest_endpoint(request: Request) -> JSONResponse:
    principal = request.scope["state"]["principal"]
    if not allowed("ingestRecords", principal.role):
        return _error(403, FORBIDDEN, "ingest is not available to this role (allowed: ingest)")
    body = await request.body()
    if len(body) > MAX_BYTES:
        return _error(413, BAD_USER_INPUT, f"at most {MAX_BYTES} bytes per request")
    try:
        items = parse_body(body, request.headers.get("content-type", ""))
    except (UnicodeDecodeError, csv.Error) as exc:
        return _error(400, BAD_USER_INPUT, f"the body cannot be read: {exc}")
    read = [not isinstance(item, intake.RecordStatus) for item in items]
    good = [(n, item) for n, (item, ok) in enumerate(zip(items, read, strict=True), 1) if ok]
    live: intake.Live = request.app.state.live
    try:
        statuses = await intake.ingest(
            live, request.path_params["source"], [i for _, i in good], [n for n, _ in good]
        )
    except intake.IntakeError as exc:
        return _error(400, BAD_USER_INPUT, str(exc))
    except intake.IntakeFull as exc:
        refused = _error(507, INSUFFICIENT_STORAGE, str(exc))
        refused.headers["retry-after"] = str(exc.retry_after_s)
        return refused
    done = {s.row: s for s in statuses}
    numbered = enumerate(zip(items, read, strict=True), 1)
    answers = [done[n] if ok else item for n, (item, ok) in numbered]
    results = [{_CAMEL.get(k, k): v for k, v in asdict(a).items()} for a in answers]
    counts = {
        name: sum(1 for r in results if r["status"] == status)
        for name, status in (
            ("accepted", intake.ACCEPTED),
            ("duplicates", intake.DUPLICATE),
            ("rejected", intake.REJECTED),
        )
    }
    return JSONResponse({**counts, "records": results})
