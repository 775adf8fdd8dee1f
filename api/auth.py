"""Who is calling: bearer tokens (HS256 JWTs or hashed API keys) mapped to roles.

No token means ``public``. A token that is present but invalid is refused outright
rather than quietly downgraded, so a misconfigured client notices.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import jwt

ROLES = ("investigator", "analyst", "steward", "auditor", "ingest", "public")
PUBLIC = "public"
MAX_TOKEN_LIFETIME_S = 24 * 3600  # a leaked token is good for a day at most


class AuthError(Exception):
    """The request carried a token that does not identify anyone."""


@dataclass(frozen=True)
class Principal:
    """The caller: a role and a subject the audit log can name."""

    role: str
    subject: str


ANONYMOUS = Principal(PUBLIC, "anonymous")


@dataclass(frozen=True)
class AuthConfig:
    """Secrets from the environment: the JWT signing secret and API-key hashes by role."""

    jwt_secret: str | None = field(default=None, repr=False)
    key_hashes: dict[str, str] = field(default_factory=dict, repr=False)  # sha256 hex → role


def parse_api_keys(value: str) -> dict[str, str]:
    """``CRIMEGRAPH_API_KEYS`` (``role:sha256hex,...``) as {hash: role}."""
    hashes: dict[str, str] = {}
    for n, item in enumerate(filter(None, (part.strip() for part in value.split(","))), 1):
        role, sep, digest = item.partition(":")
        digest = digest.strip().lower()
        if not sep or role.strip() not in ROLES:
            raise ValueError(
                f"CRIMEGRAPH_API_KEYS entry {n}: expected role:sha256hex, role in {ROLES}"
            )
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"CRIMEGRAPH_API_KEYS entry {n}: not a SHA-256 hex digest")
        hashes[digest] = role.strip()
    return hashes


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def ensure_demo_keys(path: Path) -> dict[str, str]:
    """One random API key per role in ``path`` (mode 600), created once; {role: key}.

    A file from before a role existed gets a key for the new role added."""
    keys = json.loads(path.read_text()) if path.exists() else {}
    missing = [role for role in ROLES if role != PUBLIC and role not in keys]
    if not missing:
        return keys
    keys.update({role: f"cg_{role}_{secrets.token_urlsafe(24)}" for role in missing})
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(keys, handle, indent=2)
    partial.replace(path)
    return keys


def authenticate(authorization: str | None, config: AuthConfig) -> Principal:
    """The principal for an ``Authorization`` header value (None: anonymous public)."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError("Authorization must be 'Bearer <token>'")
    digest = key_hash(token)
    for known, role in config.key_hashes.items():
        if hmac.compare_digest(known, digest):
            return Principal(role, f"key:{digest[:12]}")
    if config.jwt_secret and token.count(".") == 2:
        try:
            claims = jwt.decode(
                token,
                config.jwt_secret,
                algorithms=["HS256"],
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        role, subject = claims.get("role"), claims.get("sub")
        if role not in ROLES:
            raise AuthError(f"token role must be one of {', '.join(ROLES)}")
        if not isinstance(subject, str) or not subject.strip():
            raise AuthError("invalid token: 'sub' must name who holds it")
        if claims["exp"] - claims["iat"] > MAX_TOKEN_LIFETIME_S:
            raise AuthError(f"invalid token: lifetime over {MAX_TOKEN_LIFETIME_S} s")
        return Principal(role, f"jwt:{subject}")
    raise AuthError("unknown token")


def issue_jwt(secret: str, role: str, subject: str, lifetime_s: int = 3600) -> str:
    """A signed HS256 token with a ``role`` claim (for tests, tools and the demo)."""
    import time

    now = int(time.time())
    return jwt.encode(
        {"sub": subject, "role": role, "iat": now, "exp": now + lifetime_s}, secret, "HS256"
    )
