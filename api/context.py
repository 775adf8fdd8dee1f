"""What each request carries: the caller, the Neo4j driver, the layer store and config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from neo4j import AsyncDriver
from strawberry.types import Info

from api.auth import PUBLIC, Principal

if TYPE_CHECKING:
    from layers.store import LayerStore


@dataclass
class Holder:
    """The current layer store; swapped whole on reload, so readers never see half."""

    store: LayerStore


def driver(info: Info) -> AsyncDriver:
    return info.context["driver"]


def store(info: Info) -> LayerStore:
    return info.context["layers"].store


def principal(info: Info) -> Principal:
    return info.context["principal"]


def is_public(info: Info) -> bool:
    return principal(info).role == PUBLIC
