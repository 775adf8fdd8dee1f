"""Limits that keep one request from hurting the others: query shape and page sizes.

The per-request timeout lives in the ASGI layer (api/app.py) because it must bound the
whole request, resolvers and serialisation alike.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql.validation.rules.max_introspection_depth_rule import MaxIntrospectionDepthRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from api.errors import BadInput, should_mask

MAX_DEPTH = 8
MAX_ALIASES = 20
MAX_TOKENS = 2000

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
    """Schema extensions: depth, alias and token limits, and error masking in production."""
    chosen: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # The depth limit skips introspection, whose __Type fields recurse: this rule caps
        # the nesting of fields/interfaces/possibleTypes there (GraphiQL's query passes).
        lambda: AddValidationRules([MaxIntrospectionDepthRule]),
    ]
    if production:
        chosen.append(
            lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal error.")
        )
    return chosen
