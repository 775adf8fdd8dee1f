"""What each load step gives Neo4j's bulk importer: a node file and relationship files.

The same graph the step's ``create.cypher`` writes, described as CSV columns: the node's
label and id property, and for each relationship its type, the labels at its ends, the
columns holding their keys and its properties. ``tests/test_graph_bulk_load.py`` checks
that a bulk-imported graph equals a Cypher-loaded one, property for property, so the two
descriptions cannot drift apart unnoticed.

Expressions are DuckDB SQL over the step's rows (``load_hash``, ``key`` and the step's
columns, as ``graph/load_steps.py`` gives them); ``{rows}`` in a source names that table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeFile:
    label: str
    id_property: str  # the row's ``key`` is stored under this name
    not_properties: tuple[str, ...] = ()  # columns that become relationships instead
    point: bool = False  # latitude and longitude also give a WGS-84 ``point``

    def properties(self, columns: list[str]) -> list[str]:
        """The step's columns stored on the node (besides its id and ``point``)."""
        return [c for c in columns if c != "key" and c not in self.not_properties]


@dataclass(frozen=True)
class RelationshipFile:
    type: str
    start_label: str
    end_label: str
    end: str  # the end node's key
    start: str = "key"  # the start node's key
    properties: tuple[tuple[str, str], ...] = ()  # (property, expression)
    source: str = "{rows}"  # what the expressions read: the rows, or a query over them


@dataclass(frozen=True)
class BulkStep:
    nodes: NodeFile | None = None
    relationships: tuple[RelationshipFile, ...] = ()


def _columns(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, name) for name in names)


_IN_AREA = RelationshipFile("IN_AREA", "Location", "Area", end="lsoa")

BULK_STEPS: dict[str, BulkStep] = {
    "forces": BulkStep(NodeFile("Force", "code")),
    "areas": BulkStep(
        NodeFile("Area", "lsoa", not_properties=("force_code",)),
        (RelationshipFile("IN_FORCE", "Area", "Force", end="force_code"),),
    ),
    "locations": BulkStep(
        NodeFile("Location", "location_id", not_properties=("lsoa",), point=True), (_IN_AREA,)
    ),
    "places": BulkStep(
        NodeFile("Location", "location_id", not_properties=("lsoa",), point=True), (_IN_AREA,)
    ),
    "incidents": BulkStep(
        NodeFile("Incident", "incident_id", not_properties=("force_code", "location_id")),
        (
            RelationshipFile("REPORTED_BY", "Incident", "Force", end="force_code"),
            RelationshipFile("OCCURRED_AT", "Incident", "Location", end="location_id"),
        ),
    ),
    "persons": BulkStep(NodeFile("Person", "person_id")),
    "source_records": BulkStep(
        NodeFile(
            "SourceRecord",
            "key",
            not_properties=("person_id", "match_probability", "model_version", "involvements"),
        ),
        (
            RelationshipFile(
                "RESOLVED_TO",
                "SourceRecord",
                "Person",
                end="person_id",
                properties=_columns("match_probability", "model_version"),
            ),
            RelationshipFile(
                "RECORDED_IN",
                "SourceRecord",
                "Incident",
                end="inv.incident_id",
                properties=(("role", "inv.role"), ("record_id", "inv.record_id")),
                source="(SELECT key, unnest(involvements) AS inv FROM {rows})",
            ),
        ),
    ),
    "party_to": BulkStep(
        relationships=(
            RelationshipFile(
                "PARTY_TO",
                "Person",
                "Incident",
                start="person_id",
                end="incident_id",
                properties=_columns("key", "role", "sources", "records", "load_hash"),
            ),
        )
    ),
    "lives_at": BulkStep(
        relationships=(
            RelationshipFile(
                "LIVES_AT",
                "Person",
                "Location",
                start="person_id",
                end="place_id",
                properties=_columns("key", "sources", "match_probability", "load_hash"),
            ),
        )
    ),
    "lineage": BulkStep(
        NodeFile("PersonLineage", "key"),
        (RelationshipFile("TO", "PersonLineage", "Person", end="to_person_id"),),
    ),
    "review_pairs": BulkStep(
        NodeFile("ReviewPair", "pair_id", not_properties=("left_key", "right_key")),
        (
            RelationshipFile("LEFT", "ReviewPair", "SourceRecord", end="left_key"),
            RelationshipFile("RIGHT", "ReviewPair", "SourceRecord", end="right_key"),
        ),
    ),
    "decisions": BulkStep(
        NodeFile("MatchDecision", "decision_id"),
        (RelationshipFile("DECIDES", "MatchDecision", "ReviewPair", end="pair_id"),),
    ),
}
