"""The GraphQL schema: each field wired to its resolver and to the roles allowed it."""

from __future__ import annotations

import logging
import re

import strawberry
from strawberry.types import Info

from api import limits
from api.context import driver, is_public
from api.errors import BadInput, should_mask
from api.permissions import roles_for
from api.resolvers import audit as audit_resolvers
from api.resolvers import impact as impact_resolvers
from api.resolvers import live, people, review
from api.resolvers import map as map_resolvers
from api.types.audit import AuditEntryConnection
from api.types.impact import Intervention
from api.types.live import IngestResult, ReviewNeeded
from api.types.map import CellDetails, Force, LayerReload
from api.types.people import LinkedCases, Network, Person, PersonMatch, Place
from api.types.review import MatchDecision, MatchEvidence, ReviewPairConnection, UnmergeResult
from graph.cypher import read
from layers.geojson import GeoJSON
from layers.store import SMALL_COUNT

log = logging.getLogger("crimegraph.api")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_FORCE_CODE = re.compile(r"^[a-z0-9-]{2,64}$")


async def forces(info: Info) -> list[Force]:
    records = await read(driver(info), "queries/forces")
    public = is_public(info)
    return [
        Force(
            code=r["code"],
            name=r["name"],
            pfa_code=r["pfa_code"],
            # As incidentCount: a small count is not shown to the public, not shown as 0.
            incident_count=None
            if public and r["incident_count"] < SMALL_COUNT
            else r["incident_count"],
        )
        for r in records
    ]


async def incident_count(info: Info, force: str, month: str | None = None) -> int | None:
    if not _FORCE_CODE.match(force):
        raise BadInput(
            "force", f"force must be a police.uk force id such as 'south-wales', got {force!r}"
        )
    if month is not None and not _MONTH.match(month):
        raise BadInput("month", f"month must be YYYY-MM, got {month!r}")
    records = await read(driver(info), "queries/incident_count", force=force, month=month)
    count = records[0]["incident_count"]
    return None if is_public(info) and count < SMALL_COUNT else count


def _field(name: str, resolver, description: str, graphql_type=None):
    kwargs = {"graphql_type": graphql_type} if graphql_type is not None else {}
    return strawberry.field(
        resolver=resolver,
        name=name,
        description=description,
        permission_classes=[roles_for(name)],
        **kwargs,
    )


def _subscription(name: str, resolver, description: str, graphql_type=None):
    kwargs = {"graphql_type": graphql_type} if graphql_type is not None else {}
    return strawberry.subscription(
        resolver=resolver,
        name=name,
        description=description,
        permission_classes=[roles_for(name)],
        **kwargs,
    )


@strawberry.type
class Query:
    forces: list[Force] = _field(
        "forces", forces, "Every police force area, with its incident count."
    )
    incident_count: int | None = _field(
        "incidentCount",
        incident_count,
        "Incidents a force reported, in one month (YYYY-MM) or in all; null for the public "
        "role when fewer than 5.",
    )
    months: list[str] = _field(
        "months", map_resolvers.months, "Months with scores or incidents, 'YYYY-MM', ascending."
    )
    crime_groups: list[str] = _field(
        "crimeGroups", map_resolvers.crime_groups, "Crime groups layers can be filtered by."
    )
    areas: GeoJSON = _field(
        "areas", map_resolvers.areas, "LSOA polygons (base layer), properties {id, name, force}."
    )
    risk_layer: GeoJSON = _field(
        "riskLayer",
        map_resolvers.risk_layer,
        "Risk per H3 cell or LSOA: {id, score, harm, nearRepeat, network, forecast, "
        "incidents, month, crimeGroup}. Public sees {id, score, incidents, month, "
        "crimeGroup, forceCode, model} only: the score from open data (no network), rounded; "
        "incidents perturbed by the cell-key method, under 5 as 'fewer than 5'.",
    )
    hotspots: GeoJSON = _field(
        "hotspots",
        map_resolvers.hotspots,
        "Getis-Ord Gi* hotspots: {id, giZ, pValue, qValue, value, basis}; public sees "
        "{id, hotspot: hot|cold|none, basis} only.",
    )
    forecast_layer: GeoJSON = _field(
        "forecastLayer",
        map_resolvers.forecast_layer,
        "Next-month forecasts: {id, expected, model}; public sees expected rounded to 0.1.",
    )
    incidents: GeoJSON = _field(
        "incidents",
        map_resolvers.incidents,
        "Incident points {id, month, crimeType, crimeGroup}; not for public.",
    )
    cell: CellDetails | None = _field(
        "cell", map_resolvers.cell, "A map click: score components and the incidents behind them."
    )
    person: Person | None = _field("person", people.person, "A person (audited).")
    search_people: list[PersonMatch] = _field(
        "searchPeople", people.search_people, "Fuzzy person search (audited)."
    )
    linked_cases: LinkedCases | None = _field(
        "linkedCases", people.linked_cases, "Incidents linked to a person (audited)."
    )
    network: Network | None = _field(
        "network", people.network, "A person's co-offending network (audited)."
    )
    place: Place | None = _field(
        "place", people.place, "A place; its people for investigators with a purpose (audited)."
    )
    review_queue: ReviewPairConnection = _field(
        "reviewQueue", review.review_queue, "Open review pairs (steward)."
    )
    match_evidence: MatchEvidence | None = _field(
        "matchEvidence", review.match_evidence, "Both records and per-comparison weights (steward)."
    )
    interventions: list[Intervention] = _field(
        "interventions",
        impact_resolvers.interventions,
        "Registered interventions, with their stored impact estimates (analyst).",
    )
    intervention_impact: Intervention = _field(
        "interventionImpact",
        impact_resolvers.intervention_impact,
        "One intervention and its estimated effect: difference-in-differences, synthetic "
        "control, displacement ring (analyst; `crimegraph impact ID` estimates it).",
    )
    audit_log: AuditEntryConnection = _field(
        "auditLog", audit_resolvers.audit_log, "Person-level reads, newest first (auditor)."
    )
    layer_reload: LayerReload | None = _field(
        "layerReload",
        map_resolvers.layer_reload,
        "The latest layer reload in this server process (started by `reloadLayers`).",
    )


@strawberry.type
class Mutation:
    decide_match: MatchDecision = _field(
        "decideMatch", review.decide_match, "Decide a review pair (steward)."
    )
    unmerge: UnmergeResult = _field(
        "unmerge", review.unmerge, "Split records off a person as cannot-link decisions (steward)."
    )
    reload_layers: LayerReload = _field(
        "reloadLayers",
        map_resolvers.reload_layers,
        "Start re-reading the map layers from the warehouse; answers at once with the job "
        "(follow it with `layerReload`). A reload already running is joined, not repeated.",
    )
    ingest_records: IngestResult = _field(
        "ingestRecords",
        live.ingest_records,
        "Live records from a source system (ingest role): each checked as the batch ingest "
        "would, the good ones journalled durably before this returns; they reach the graph, "
        "the map and the subscriptions within a second. Re-sending a record is harmless.",
    )


@strawberry.type
class Subscription:
    incident_added: GeoJSON = _subscription(
        "incidentAdded",
        live.incident_added,
        "Each new incident inside bbox as a GeoJSON point: exact with ids for analysts and "
        "investigators, at its H3 res-8 cell's centre with month and crime group otherwise.",
        graphql_type=GeoJSON,
    )
    risk_changed: GeoJSON = _subscription(
        "riskChanged",
        live.risk_changed,
        "Risk cells (FeatureCollection, as riskLayer's) that new incidents rescored, for the "
        "slice asked for; public sees small counts suppressed.",
        graphql_type=GeoJSON,
    )
    review_needed: ReviewNeeded = _subscription(
        "reviewNeeded", live.review_needed, "New uncertain matches to review (steward)."
    )


class _Schema(strawberry.Schema):
    """Strawberry's schema, logging the client's own mistakes (a bad argument, a refused
    role, a full intake: errors with a client code) as one INFO line without a traceback,
    and keeping ERROR with the traceback for what went wrong in the server."""

    def process_errors(self, errors, execution_context=None) -> None:
        server_side = []
        for error in errors:
            if should_mask(error):
                server_side.append(error)
            else:
                code = (error.extensions or {}).get("code", "GRAPHQL")
                log.info("client error %s: %s", code, error.message, extra={"code": code})
        super().process_errors(server_side, execution_context)


def build_schema(production: bool = False) -> strawberry.Schema:
    return _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=limits.extensions(production),
    )


schema = build_schema()
