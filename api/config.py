"""The API's own settings from the environment: mode, secrets and the request timeout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from api.auth import AuthConfig, ensure_demo_keys, key_hash, parse_api_keys
from crimegraph.settings import Settings

DEVELOPMENT = "development"
PRODUCTION = "production"


@dataclass(frozen=True)
class ApiConfig:
    env: str
    auth: AuthConfig
    request_timeout_s: float
    demo_keys_path: Path | None  # set when demo keys were generated for development

    @property
    def production(self) -> bool:
        return self.env == PRODUCTION


def demo_keys_path(settings: Settings) -> Path:
    return settings.data_dir / "api" / "demo-keys.json"


def load_api_config(settings: Settings) -> ApiConfig:
    """``CRIMEGRAPH_ENV`` (development|production), ``CRIMEGRAPH_JWT_SECRET``,
    ``CRIMEGRAPH_API_KEYS`` and ``CRIMEGRAPH_API_TIMEOUT_S``.

    In development with neither secret set, one demo key per role is generated into
    ``var/api/demo-keys.json`` so the demo works without configuration; production
    never invents credentials.
    """
    env = os.environ.get("CRIMEGRAPH_ENV", DEVELOPMENT)
    if env not in (DEVELOPMENT, PRODUCTION):
        raise ValueError(f"CRIMEGRAPH_ENV must be development or production, got {env!r}")
    secret = os.environ.get("CRIMEGRAPH_JWT_SECRET") or None
    if secret is not None and len(secret) < 32:
        raise ValueError("CRIMEGRAPH_JWT_SECRET must be at least 32 characters")
    hashes = parse_api_keys(os.environ.get("CRIMEGRAPH_API_KEYS", ""))
    demo_path = None
    if env == DEVELOPMENT and secret is None and not hashes:
        demo_path = demo_keys_path(settings)
        hashes = {key_hash(key): role for role, key in ensure_demo_keys(demo_path).items()}
    timeout = float(os.environ.get("CRIMEGRAPH_API_TIMEOUT_S", "10"))
    return ApiConfig(env, AuthConfig(secret, hashes), timeout, demo_path)
