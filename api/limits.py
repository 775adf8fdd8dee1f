"""Limits that keep one request from hurting the others: query shape and page sizes.

The per-request timeout lives in the ASGI layer (api/app.py) because it must bound the
whole request, resolvers and serialisation alike.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql.validation.rules.max_introspection_depth_rule import MaxIntrospectionDepthRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from api.cost import LayerCostLimit
from api.errors import BadInput, NamedErrors
from api.observe import FieldTimings

MAX_QUERY_DEPTH = 8
MAX_ALIASES = 20
MAX_TOKENS = 2000
DOCUMENT_CACHE = 512  # distinct query texts whose parse and validation are kept

# The limits as validation rules built once (QueryDepthLimiter and MaxAliasesLimiter would
# build a new rule class per request), so the validation cache can recognise them: a
# query the server has seen is neither parsed nor validated again, limits included.
_RULES = [
    depth_rule(MAX_QUERY_DEPTH, None),
    aliases_rule(MAX_ALIASES),
    # The depth limit skips introspection, whose __Type fields recurse: this rule caps
    # the nesting of fields/interfaces/possibleTypes there (GraphiQL's query passes).
    MaxIntrospectionDepthRule,
]

PAGE_CAPS = {
    "incidents": 5000,
    "searchPeople": 100,
    "reviewQueue": 100,
    "auditLog": 500,
}


def check_page(field: str, first: int, argument: str = "first") -> int:
    """``first`` within 1..cap for ``field``, or a BAD_USER_INPUT naming the cap."""
    cap = PAGE_CAPS[field]
    if first < 1 or first > cap:
        raise BadInput(argument, f"{argument} must be between 1 and {cap} for {field}, got {first}")
    return first


def extensions(production: bool) -> list[Callable[[], SchemaExtension]]:
    """Schema extensions: depth, alias and token limits, parse and validation caches, the
    layer cost bound (api/cost.py), and in production no introspection and error masking."""
    chosen: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(_RULES),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE),
        LayerCostLimit,
        FieldTimings,
    ]
    if production:
        # A production schema is read from docs/schema.graphql, not from the server.
        chosen.append(DisableIntrospection)
    chosen.append(lambda: NamedErrors(production))
    return chosen
