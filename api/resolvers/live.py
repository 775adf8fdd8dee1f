"""Live fields: ``ingestRecords`` and the subscriptions the map and stewards watch."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from api import arguments
from api.context import is_public, store
from api.errors import INSUFFICIENT_STORAGE, BadInput
from api.resolvers.map import layer_keys
from api.types.live import IngestResult, IngestStatus, RecordStatus, ReviewNeeded
from api.types.map import AreaLevel
from api.types.map import BBox as BBoxInput
from layers import geojson
from live import intake
from live.applier import INCIDENT_ADDED, NEW, REVIEW_NEEDED, RISK_CHANGED
from resolver.adapters.base import INCIDENT

# A subscriber resuming from a cursor gets at most this many missed incidents replayed;
# further behind, it reloads the incidents layer (one request must not cost megabytes).
REPLAY_MAX = 10_000


def live(info: Info) -> intake.Live:
    return info.context["live"]


async def ingest_records(
    info: Info,
    system: Annotated[
        str,
        strawberry.argument(
            name="source",
            description="The source system: police.uk, or a registered person-carrying source "
            "(its registry YAML's system name, e.g. police_a).",
        ),
    ],
    records: list[JSON],
) -> IngestResult:
    # The Python name is not `source`: strawberry's permission extension passes a `source`.
    try:
        statuses = await intake.ingest(live(info), system, list(records))
    except intake.IntakeError as exc:
        raise BadInput(exc.argument, str(exc)) from exc
    except intake.IntakeFull as exc:
        extensions = {"code": INSUFFICIENT_STORAGE, "retryAfter": exc.retry_after_s}
        raise GraphQLError(str(exc), extensions=extensions) from exc
    out = [
        RecordStatus(
            row=s.row,
            status=IngestStatus(s.status),
            record_id=s.record_id,
            key=s.key,
            field=s.field,
            reason=s.reason,
        )
        for s in statuses
    ]
    return IngestResult(
        accepted=_n(statuses, intake.ACCEPTED),
        duplicates=_n(statuses, intake.DUPLICATE),
        rejected=_n(statuses, intake.REJECTED),
        records=out,
    )


def _n(statuses: list[intake.RecordStatus], status: str) -> int:
    return sum(1 for s in statuses if s.status == status)


def _inside(box: tuple[float, float, float, float] | None, lon: float, lat: float) -> bool:
    if box is None:
        return True
    west, south, east, north = box
    return west <= lon <= east and south <= lat <= north


def incident_feature(event: dict[str, Any]) -> tuple[dict, float, float]:
    """The event as a GeoJSON point with its ids (only roles that may see incident points
    subscribe: a single incident as it happens is not an aggregate), and its ``cursor``
    (its place in the live journal) to resume from."""
    lat, lon = event["latitude"], event["longitude"]
    props = {
        "id": event["incident_id"],
        "month": event["month"],
        "crimeType": event["crime_type"],
        "crimeGroup": event["crime_group"],
        "recordId": event["record_ref"],
        "live": True,
        "cursor": str(event["seq"]),
    }
    return json.loads(geojson.point_feature(event["incident_id"], lon, lat, props)), lon, lat


def _after(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise BadInput("after", f"after must be an incident's cursor, got {cursor[:40]!r}")
    return int(cursor)


async def incident_added(
    info: Info,
    bbox: BBoxInput | None = None,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="Resume after this cursor (an event's properties.cursor): the "
            f"incidents applied since are sent first (at most {REPLAY_MAX:,}), then new ones, "
            "each once."
        ),
    ] = None,
) -> AsyncGenerator[geojson.GeoJSON, None]:
    box = arguments.bounding_box(bbox) if bbox else None
    last = _after(after)
    async with live(info).broadcaster.listen(INCIDENT_ADDED) as queue:
        # Listening first, then reading what was missed: an event published meanwhile is
        # in the queue and skipped there by its seq, so none is lost and none sent twice.
        if last is not None:
            missed = await asyncio.to_thread(
                live(info).journal.applied, NEW, INCIDENT, last, REPLAY_MAX + 1
            )
            if len(missed) > REPLAY_MAX:
                raise BadInput(
                    "after", f"more than {REPLAY_MAX:,} incidents since that cursor: reload "
                    "the incidents layer and subscribe afresh"
                )  # fmt: skip
            for entry in missed:
                last = entry.seq
                if entry.payload.get("latitude") is None:
                    continue
                feature, lon, lat = incident_feature({**entry.payload, "seq": entry.seq})
                if _inside(box, lon, lat):
                    yield feature
        while True:
            event = await queue.get()
            if event.get("latitude") is None or (last is not None and event["seq"] <= last):
                continue
            feature, lon, lat = incident_feature(event)
            if _inside(box, lon, lat):
                yield feature


def _meets(box: tuple[float, float, float, float], bounds: tuple[float, ...]) -> bool:
    west, south, east, north = box
    return bounds[0] <= east and bounds[2] >= west and bounds[1] <= north and bounds[3] >= south


async def risk_changed(
    info: Info,
    bbox: BBoxInput,
    month: str | None = None,
    resolution: int = 9,
    level: AreaLevel = AreaLevel.H3,
    crime_groups: list[str] | None = None,
) -> AsyncGenerator[geojson.GeoJSON, None]:
    box = arguments.bounding_box(bbox)
    keys = set(layer_keys(store(info), "risk", month, resolution, level.value, crime_groups))
    form = "public" if is_public(info) else "full"
    async with live(info).broadcaster.listen(RISK_CHANGED) as queue:
        while True:
            changed = await queue.get()
            features = [c[form] for c in changed if c["key"] in keys and _meets(box, c["bounds"])]
            if features:
                yield json.loads(geojson.collection(features).text)


async def review_needed(info: Info) -> AsyncGenerator[ReviewNeeded, None]:
    async with live(info).broadcaster.listen(REVIEW_NEEDED) as queue:
        while True:
            pair = await queue.get()
            yield ReviewNeeded(
                pair_id=pair["pair_id"],
                match_probability=pair["match_probability"],
                left=pair["left"],
                right=pair["right"],
            )
