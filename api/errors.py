"""GraphQL errors a client can act on, and which errors production hides.

Bad arguments and denied fields carry a specific message and ``extensions.code``; any
other failure (a bug, a database error) is masked in production so it leaks nothing.
"""

from __future__ import annotations

from graphql import GraphQLError
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from strawberry.extensions import MaskErrors

BAD_REQUEST = "BAD_REQUEST"
BAD_USER_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
GRAPH_UNAVAILABLE = "GRAPH_UNAVAILABLE"
NOT_FOUND = "NOT_FOUND"
INSUFFICIENT_STORAGE = "INSUFFICIENT_STORAGE"
TIMEOUT = "TIMEOUT"
UNAUTHENTICATED = "UNAUTHENTICATED"

# Codes whose message is written for the client and safe to show in production.
CLIENT_CODES = frozenset(
    {BAD_USER_INPUT, FORBIDDEN, GRAPH_UNAVAILABLE, INSUFFICIENT_STORAGE, NOT_FOUND, TIMEOUT,
     UNAUTHENTICATED}
)  # fmt: skip
# What the driver raises when Neo4j cannot be reached (down, restarting, a dropped link).
_GRAPH_AWAY = (ServiceUnavailable, SessionExpired)
GRAPH_AWAY_MESSAGE = "The graph database is unavailable just now; retry shortly."


class BadInput(GraphQLError):
    """A bad argument, named in the message and in ``extensions.argument``."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message, extensions={"code": BAD_USER_INPUT, "argument": argument})


def should_mask(error: GraphQLError) -> bool:
    """Mask an error raised while resolving unless it is one written for the client.

    Errors with no original exception (syntax, validation, depth and alias limits) are
    about the query text, not the server, and stay visible.
    """
    original = error.original_error
    if original is None:
        return False
    code = (error.extensions or {}).get("code")
    if isinstance(original, GraphQLError):
        code = code or (original.extensions or {}).get("code")
    return code not in CLIENT_CODES


def graph_away(error: GraphQLError) -> bool:
    """Whether resolving failed because Neo4j could not be reached."""
    return isinstance(error.original_error, _GRAPH_AWAY)


class NamedErrors(MaskErrors):
    """Neo4j being away is an error a client can act on (retry), named ``GRAPH_UNAVAILABLE``
    with ``retryable: true`` in every mode; in production every other server-side error
    is masked as "Internal error." (``should_mask``), leaking nothing."""

    def __init__(self, production: bool) -> None:
        self.production = production
        super().__init__(should_mask_error=self._rewrite, error_message="Internal error.")

    def _rewrite(self, error: GraphQLError) -> bool:
        return graph_away(error) or (self.production and should_mask(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not graph_away(error):
            return super().anonymise_error(error)
        return GraphQLError(
            GRAPH_AWAY_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": GRAPH_UNAVAILABLE, "retryable": True},
        )
