"""What a request's map layers would cost, bounded before any of the work starts.

A layer's work grows with the cells its box covers at its resolution (and with each crime
group asked for), so a request's cost is the sum, over its layer fields and their
aliases, of the cells its boxes could hold: the box's area over the area of one cell
(H3's average hexagon at the resolution; an LSOA taken as ``LSOA_KM2``). Over
``MAX_CELLS`` the request is refused whole with ``COST_LIMIT``, naming the estimate and
the limit, before any layer is built: one whole-Wales layer at resolution 9 is about
0.5M cells, the country at resolution 9 about 4M (ask for resolution 7 or 8 there).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import h3
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from api import arguments
from api.errors import BadInput

COST_LIMIT = "COST_LIMIT"
MAX_CELLS = 1_500_000
LSOA_KM2 = 2.0  # smaller than the mean LSOA (about 4 km²): towns are dense with them
H3_LAYERS = {"riskLayer", "hotspots", "forecastLayer"}
LAYERS = H3_LAYERS | {"areas"}
DEFAULT_RESOLUTION = 9
ENGLAND_AND_WALES_KM2 = 151_000.0


def box_km2(bbox: dict[str, Any]) -> float:
    """A west/south/east/north box's area; 0 for a box the resolver refuses anyway, with
    its own message naming what is wrong (``api.arguments.bbox``)."""
    try:
        west, south, east, north = (float(bbox[k]) for k in ("west", "south", "east", "north"))
        arguments.bbox(west, south, east, north)
    except (KeyError, TypeError, ValueError, BadInput):
        return 0.0
    middle = math.radians(max(-89.0, min(89.0, (north + south) / 2)))
    return (east - west) * 111.32 * math.cos(middle) * (north - south) * 110.57


def field_cost(name: str, args: dict[str, Any]) -> float:
    """Cells one layer field could cover (no box: the whole of England and Wales)."""
    area = box_km2(args["bbox"]) if args.get("bbox") is not None else ENGLAND_AND_WALES_KM2
    lsoa = name == "areas" or str(args.get("areaLevel", "")).upper() == "LSOA"
    if lsoa:
        cells = area / LSOA_KM2
    else:
        resolution = args.get("resolution", DEFAULT_RESOLUTION)
        if not isinstance(resolution, int) or not 0 <= resolution <= 15:
            return 0.0  # the resolver refuses it with its own message
        cells = area / h3.average_hexagon_area(resolution, unit="km^2")
    groups = args.get("crimeGroups")
    return cells * max(1, len(groups) if isinstance(groups, list) else 1)


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    for selection in selection_set.selections or ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from _root_fields(fragments[selection.name.value].selection_set, fragments)


def root_fields(document: DocumentNode, operation_name: str | None) -> list[FieldNode]:
    """The top-level fields of the operation a request runs (aliases and fragments
    resolved); empty when graphql-core will refuse the choice of operation itself."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return list(_root_fields(chosen[0].selection_set, fragments))


def request_cost(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> float:
    """The cells every layer field of the chosen operation could cover, summed."""
    total = 0.0
    for field in root_fields(document, operation_name):
        if field.name.value in LAYERS:
            args = {
                a.name.value: value_from_ast_untyped(a.value, variables)
                for a in field.arguments or ()  # graphql-core: None for a field without any
            }
            total += field_cost(field.name.value, args)
    return total


class LayerCostLimit(SchemaExtension):
    """Refuses a request whose layers would cover over ``MAX_CELLS`` cells, before any
    resolver runs (aliases and fragments included)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            cost = request_cost(context.graphql_document, context.operation_name, context.variables)
            if cost > MAX_CELLS:
                message = (
                    f"this request's map layers would cover about {cost / 1e6:.1f}M cells, over "
                    f"the limit of {MAX_CELLS / 1e6:.1f}M: ask for a smaller box, a coarser "
                    "resolution (7 for a country, 8 for a force) or fewer layers and crime "
                    "groups per request"
                )
                extensions = {"code": COST_LIMIT, "limitCells": MAX_CELLS, "cells": round(cost)}
                context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(message, extensions=extensions)]
                )
        yield
