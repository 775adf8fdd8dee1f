"""GraphQL schema: forces and incident counts, read from Neo4j with named Cypher."""

from __future__ import annotations

import re

import strawberry
from graphql import GraphQLError
from neo4j import AsyncDriver
from strawberry.types import Info

from graph.cypher import statement

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_FORCE_CODE = re.compile(r"^[a-z0-9-]{2,64}$")


@strawberry.type(description="A police force area of England and Wales.")
class Force:
    code: str = strawberry.field(description="police.uk force id, e.g. `south-wales`.")
    name: str
    pfa_code: str | None = strawberry.field(description="ONS police force area code (PFA20CD).")
    incident_count: int = strawberry.field(description="Incidents this force reported.")


def _driver(info: Info) -> AsyncDriver:
    return info.context["driver"]


@strawberry.type
class Query:
    @strawberry.field(description="Every police force area, with its incident count.")
    async def forces(self, info: Info) -> list[Force]:
        records, _, _ = await _driver(info).execute_query(statement("queries/forces"), routing_="r")
        return [
            Force(
                code=r["code"],
                name=r["name"],
                pfa_code=r["pfa_code"],
                incident_count=r["incident_count"],
            )
            for r in records
        ]

    @strawberry.field(description="Incidents a force reported, in one month (YYYY-MM) or in all.")
    async def incident_count(self, info: Info, force: str, month: str | None = None) -> int:
        if not _FORCE_CODE.match(force):
            raise GraphQLError(
                f"force must be a police.uk force id such as 'south-wales', got {force!r}",
                extensions={"code": "BAD_USER_INPUT", "argument": "force"},
            )
        if month is not None and not _MONTH.match(month):
            raise GraphQLError(
                f"month must be YYYY-MM, got {month!r}",
                extensions={"code": "BAD_USER_INPUT", "argument": "month"},
            )
        records, _, _ = await _driver(info).execute_query(
            statement("queries/incident_count"), force=force, month=month, routing_="r"
        )
        return records[0]["incident_count"]


schema = strawberry.Schema(query=Query)
