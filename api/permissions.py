"""Which role may read which field: one table, enforced per field on the server."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from api.auth import ROLES
from api.context import principal
from api.errors import FORBIDDEN

_EVERYONE = frozenset(ROLES)
_INVESTIGATOR = frozenset({"investigator"})
_STEWARD = frozenset({"steward"})

# GraphQL field → roles allowed. Aggregate map layers are for everyone (public sees
# small counts suppressed); incident points are not for public; person-level reads are
# for investigators; match review is for stewards; the audit log for auditors;
# interventions and their impact for analysts.
FIELD_ROLES: dict[str, frozenset[str]] = {
    "forces": _EVERYONE,
    "incidentCount": _EVERYONE,
    "months": _EVERYONE,
    "crimeGroups": _EVERYONE,
    "areas": _EVERYONE,
    "riskLayer": _EVERYONE,
    "hotspots": _EVERYONE,
    "forecastLayer": _EVERYONE,
    "cell": _EVERYONE,
    "CellDetails.incidents": frozenset({"investigator", "analyst"}),
    "incidents": frozenset({"investigator", "analyst"}),
    "place": frozenset({"investigator", "analyst"}),
    "person": _INVESTIGATOR,
    "searchPeople": _INVESTIGATOR,
    "linkedCases": _INVESTIGATOR,
    "network": _INVESTIGATOR,
    "CellDetails.people": _INVESTIGATOR,
    "Place.people": _INVESTIGATOR,
    "reviewQueue": _STEWARD,
    "matchEvidence": _STEWARD,
    "decideMatch": _STEWARD,
    "unmerge": _STEWARD,
    "reloadLayers": frozenset({"analyst", "steward"}),
    "layerReload": frozenset({"analyst", "steward"}),
    "interventions": frozenset({"analyst"}),
    "interventionImpact": frozenset({"analyst"}),
    "auditLog": frozenset({"auditor"}),
    # Live: source systems push records. Single incidents as they happen are incident
    # points, so not public; the public's live feed is riskChanged (disclosure-controlled).
    "ingestRecords": frozenset({"ingest"}),
    "incidentAdded": frozenset({"investigator", "analyst"}),
    "riskChanged": _EVERYONE,
    "reviewNeeded": _STEWARD,
}


def allowed(field: str, role: str) -> bool:
    return role in FIELD_ROLES[field]


def roles_for(field: str) -> type[BasePermission]:
    """A strawberry permission class admitting the roles ``FIELD_ROLES[field]`` lists."""
    roles = FIELD_ROLES[field]

    class RolePermission(BasePermission):
        message = f"{field} is not available to this role (allowed: {', '.join(sorted(roles))})"
        error_extensions: ClassVar[dict[str, str]] = {"code": FORBIDDEN, "field": field}

        def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            return principal(info).role in roles

    RolePermission.__name__ = f"Roles_{field.replace('.', '_')}"
    return RolePermission
