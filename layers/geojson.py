"""RFC 7946 GeoJSON, pre-serialised: features are encoded once when a layer loads and
spliced into responses, so a whole-force layer is not re-encoded on every request."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Any, NewType

import strawberry

Ring = Sequence[tuple[float, float]]  # (lon, lat) points, first == last


class RawJSON:
    """JSON text that the response encoder inserts verbatim."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawJSON) and other.text == self.text


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def polygon_feature(feature_id: str, rings: Sequence[Ring], properties: dict[str, Any]) -> str:
    geometry = {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in rings]}
    return _dumps(
        {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}
    )


def multipolygon_feature(
    feature_id: str, polygons: Sequence[Sequence[Ring]], properties: dict[str, Any]
) -> str:
    coords = [[[list(p) for p in ring] for ring in poly] for poly in polygons]
    geometry = {"type": "MultiPolygon", "coordinates": coords}
    return _dumps(
        {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}
    )


def unlocated_feature(feature_id: str, properties: dict[str, Any]) -> str:
    """A feature with ``"geometry": null`` (RFC 7946 3.2): the client draws it from its id
    (an H3 cell's hexagon), so a whole-force layer is a third of the bytes to send and parse."""
    return _dumps({"type": "Feature", "id": feature_id, "geometry": None, "properties": properties})


def point_feature(feature_id: str, lon: float, lat: float, properties: dict[str, Any]) -> str:
    geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    return _dumps(
        {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}
    )


def collection(features: Iterable[str]) -> RawJSON:
    return RawJSON('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")


def _parse(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _serialize(value: Any) -> Any:
    return value


GeoJSON = strawberry.scalar(
    NewType("GeoJSON", object),
    serialize=_serialize,
    parse_value=_parse,
    description="An RFC 7946 GeoJSON object, serialised as JSON (longitude, latitude order).",
)


def encode_response(data: object) -> str:
    """JSON for a GraphQL response, with every RawJSON spliced in unescaped.

    Each RawJSON becomes a placeholder string carrying a per-response nonce (so no
    client-supplied string can collide with one), then the placeholders are replaced.
    """
    raws: list[str] = []
    nonce = secrets.token_hex(8)

    def default(obj: object) -> str:
        if isinstance(obj, RawJSON):
            raws.append(obj.text)
            return f"\x00{nonce}:{len(raws) - 1}\x00"
        raise TypeError(f"not JSON serialisable: {type(obj).__name__}")

    text = json.dumps(data, default=default, separators=(",", ":"))
    for n, raw in enumerate(raws):  # str.replace: no pattern to compile per response
        text = text.replace(f'"\\u0000{nonce}:{n}\\u0000"', raw, 1)
    return text
