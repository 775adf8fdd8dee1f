"""The API's configuration, from the settings' ``api`` section: mode, credentials, timeout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.auth import AuthConfig, ensure_demo_keys, key_hash, parse_api_keys
from core.settings import DEVELOPMENT, PRODUCTION, Settings


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
    """Mode (``CRIMEGRAPH_ENV``), credentials (``CRIMEGRAPH_JWT_SECRET``,
    ``CRIMEGRAPH_API_KEYS``) and the request timeout, from ``settings.api``.

    In development with neither credential set, one demo key per role is generated into
    ``var/api/demo-keys.json`` so the demo works without configuration; production
    never invents credentials.
    """
    api = settings.api
    hashes = parse_api_keys(api.keys)
    demo_path = None
    if api.env == DEVELOPMENT and api.jwt_secret is None and not hashes:
        demo_path = demo_keys_path(settings)
        hashes = {key_hash(key): role for role, key in ensure_demo_keys(demo_path).items()}
    return ApiConfig(api.env, AuthConfig(api.jwt_secret, hashes), api.timeout_s, demo_path)
