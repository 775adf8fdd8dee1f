"""GraphQL errors a client can act on, and which errors production hides.

Bad arguments and denied fields carry a specific message and ``extensions.code``; any
other failure (a bug, a database error) is masked in production so it leaks nothing.
"""

from __future__ import annotations

from graphql import GraphQLError

BAD_REQUEST = "BAD_REQUEST"
BAD_USER_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
INSUFFICIENT_STORAGE = "INSUFFICIENT_STORAGE"
TIMEOUT = "TIMEOUT"
UNAUTHENTICATED = "UNAUTHENTICATED"

# Codes whose message is written for the client and safe to show in production.
CLIENT_CODES = frozenset(
    {BAD_USER_INPUT, FORBIDDEN, INSUFFICIENT_STORAGE, NOT_FOUND, TIMEOUT, UNAUTHENTICATED}
)


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
