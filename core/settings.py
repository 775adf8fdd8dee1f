"""Every setting crimegraph reads, from environment variables, in one typed object.

One section per concern, each reading the variables under its own prefix
(``NEO4J_*``, ``CRIMEGRAPH_API_*``, ``CRIMEGRAPH_SOURCE_*``, ``CRIMEGRAPH_RETENTION_*``);
``.env.example`` lists them all. Nothing else in crimegraph reads the environment.

Defaults suit one developer machine: everything lives under ``var/`` in the
checkout, Neo4j listens on loopback only, and a local Neo4j password is generated
once and kept in ``var/neo4j/password`` (mode 600) when ``NEO4J_PASSWORD`` is unset,
so the demo runs on a fresh machine without a secret in the repository. Source data
file locations are settings too, so a national layout is configuration, not code.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import SettingsError
from core.keys import kept_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CYPHER_DIR = PROJECT_ROOT / "cypher"
WEB_DIR = PROJECT_ROOT / "web"
NEO4J_ASSEMBLY_PROJECT = PROJECT_ROOT / "docker" / "neo4j"
DEVELOPMENT = "development"
PRODUCTION = "production"


def _section(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, frozen=True, extra="ignore")


# A path setting as given, made absolute (``~`` expanded) when it is read.
AbsolutePath = Annotated[Path, AfterValidator(lambda value: Path(value).expanduser().resolve())]


class Neo4jSettings(BaseSettings):
    """``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_HEAP``, ``NEO4J_PAGECACHE``."""

    model_config = _section("NEO4J_")
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str = Field(default="", repr=False)  # empty: the generated local one
    heap: str = "2g"
    pagecache: str = "1g"

    @property
    def bolt_port(self) -> int:
        return urlparse(self.uri).port or 7687

    @property
    def bolt_host(self) -> str:
        return urlparse(self.uri).hostname or "127.0.0.1"


class ApiSettings(BaseSettings):
    """``CRIMEGRAPH_API_HOST``/``_PORT``/``_KEYS``/``_TIMEOUT_S``, ``CRIMEGRAPH_ENV``,
    ``CRIMEGRAPH_JWT_SECRET``, ``CRIMEGRAPH_INGEST_TOKEN`` (the CLI's live feed) and
    ``CRIMEGRAPH_DISCLOSURE_KEY`` (the public counts' perturbation; default: derived from
    the JWT secret)."""

    @property
    def disclosure_secret(self) -> bytes | None:
        """The cell-key secret: its own setting, else one derived from the JWT secret."""
        if self.disclosure_key:
            return self.disclosure_key.encode()
        if self.jwt_secret:
            return hashlib.sha256(b"crimegraph disclosure|" + self.jwt_secret.encode()).digest()
        return None

    model_config = _section("CRIMEGRAPH_API_")
    host: str = "127.0.0.1"
    port: int = 8000
    keys: str = Field(default="", repr=False)  # role:sha256hex,... (api/auth.py parses it)
    timeout_s: float = 10.0
    access_log: bool = True  # one JSON line per request (api/observe.py)
    rate_per_s: float = 50.0  # requests a second per caller (public: per client address)
    rate_burst: int = 200
    # production unless told otherwise: GraphiQL and introspection off, errors masked, no
    # invented credentials. `crimegraph demo` (and the tests' servers) run in development.
    env: Literal["development", "production"] = Field(
        default=PRODUCTION, validation_alias="CRIMEGRAPH_ENV"
    )
    jwt_secret: str | None = Field(
        default=None, repr=False, validation_alias="CRIMEGRAPH_JWT_SECRET", min_length=32
    )
    ingest_token: str | None = Field(
        default=None, repr=False, validation_alias="CRIMEGRAPH_INGEST_TOKEN"
    )
    # A Prometheus scraper's bearer token for /metrics; without it only loopback may scrape.
    metrics_token: str | None = Field(
        default=None, repr=False, validation_alias="CRIMEGRAPH_METRICS_TOKEN", min_length=16
    )
    # The secret behind the public tier's cell keys (responsible/disclosure.py): kept
    # across restarts so a count shows the same perturbation every time it is asked.
    disclosure_key: str | None = Field(
        default=None, repr=False, validation_alias="CRIMEGRAPH_DISCLOSURE_KEY", min_length=32
    )

    @field_validator("jwt_secret", "ingest_token", "disclosure_key", "metrics_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return value or None


class SourceFiles(BaseSettings):
    """Where the read-only source data lives (``CRIMEGRAPH_SOURCE_DATA_DIR``) and, relative
    to it unless absolute, each reference file the stages read (``CRIMEGRAPH_SOURCE_<NAME>``)."""

    model_config = _section("CRIMEGRAPH_SOURCE_")
    data_dir: AbsolutePath = PROJECT_ROOT.parent / "shared" / "data"
    police_uk_glob: str = "police-uk/street/*/*-street.csv*"
    lsoa_boundaries: Path = Path("geo/lsoa21-wales.geojson.gz")
    lsoa_centroids: Path = Path("geo/lsoa-centroids.csv.gz")
    force_areas: Path = Path("geo/police-force-areas.geojson.gz")
    deprivation_dir: Path = Path("geo")  # WIMD, LSOA 2011→2021 lookup, population

    @field_validator("lsoa_boundaries", "lsoa_centroids", "force_areas", "deprivation_dir")
    @classmethod
    def _under_data_dir(cls, value: Path, info: ValidationInfo) -> Path:
        """A reference file's full path: under the source data directory unless absolute."""
        return value if value.is_absolute() else info.data["data_dir"] / value

    @property
    def police_uk_files(self) -> str:
        """The glob of every police.uk street file at hand."""
        return str(self.data_dir / self.police_uk_glob)


class RetentionSettings(BaseSettings):
    """``CRIMEGRAPH_RETENTION_POLICY`` (the policy YAML) and ``CRIMEGRAPH_RETENTION_KEY``
    (the key record ids are hashed under in the retention log; unset: generated once)."""

    model_config = _section("CRIMEGRAPH_RETENTION_")
    policy: AbsolutePath = PROJECT_ROOT / "responsible" / "retention" / "policy.yaml"
    key: str | None = Field(default=None, repr=False)


class Settings(BaseSettings):
    """Resolved configuration; build one with :func:`load_settings`."""

    model_config = _section("CRIMEGRAPH_")
    data_dir: AbsolutePath = PROJECT_ROOT / "var"
    cache_dir: AbsolutePath = PROJECT_ROOT / "var" / "cache"
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    sources: SourceFiles = Field(default_factory=SourceFiles)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    # CRIMEGRAPH_ID_KEY: the key person, place and incident ids are derived under, so no
    # one who knows a source record id can compute the graph id (unset: generated once).
    id_key: str | None = Field(default=None, repr=False, min_length=32)
    # CRIMEGRAPH_BATCH_MEMORY_LIMIT: DuckDB's memory limit in the batch stages (ingest,
    # canonical tables, risk); beyond it DuckDB spills to disk, so a national run fits a
    # laptop (the 3.6M rows at hand: ingest about 1.3 GB peak).
    batch_memory_limit: str = "1GB"
    # CRIMEGRAPH_LOG_FORMAT: the server's log lines as JSON objects (for a log pipeline) or
    # text (a person at a terminal: `crimegraph demo` chooses it).
    log_format: Literal["json", "text"] = "json"
    # CRIMEGRAPH_LIVE_RESERVE_MB: free space live intake leaves on the journal's disk; below
    # it a request is refused whole (507, retry later), so what was accepted stays durable.
    live_reserve_mb: int = Field(default=256, ge=0)

    def with_data_dir(self, data_dir: Path) -> Settings:
        """The same settings over another data directory (tests, benchmarks, scratch runs)."""
        return self.model_copy(update={"data_dir": Path(data_dir)})

    def with_neo4j(self, **changes: object) -> Settings:
        """The same settings with some Neo4j fields changed (a throwaway instance)."""
        return self.model_copy(update={"neo4j": self.neo4j.model_copy(update=changes)})

    @property
    def source_data_dir(self) -> Path:
        return self.sources.data_dir

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB warehouse: one file holding every canonical table."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def id_secret(self) -> bytes:
        """The id key: ``CRIMEGRAPH_ID_KEY``, or kept in ``<data dir>/keys/ids`` (mode 600)."""
        return kept_key(self.data_dir / "keys" / "ids", self.id_key)

    @property
    def retention_log_path(self) -> Path:
        """The append-only JSON-lines log of every `crimegraph retention apply`."""
        return self.data_dir / "logs" / "retention.jsonl"

    @property
    def neo4j_instance_dir(self) -> Path:
        """Where the local Neo4j keeps its conf, data, logs and pid file."""
        return self.data_dir / "neo4j"


def _local_password(data_dir: Path) -> str:
    """Read, or create once, the generated password of the local Neo4j instance."""
    path = data_dir / "neo4j" / "password"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def _variable(section: type[BaseSettings], error: ValidationError) -> str:
    """The environment variable behind a settings error, for a message people can act on."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    field = section.model_fields.get(name)
    alias = field.validation_alias if field is not None else None
    if isinstance(alias, str):
        return alias
    return f"{section.model_config.get('env_prefix', '')}{name}".upper()


def load_settings() -> Settings:
    """Read the environment (see ``.env.example``) into a :class:`Settings`."""
    sections: dict[str, BaseSettings] = {}
    for key, section in (
        ("neo4j", Neo4jSettings),
        ("api", ApiSettings),
        ("sources", SourceFiles),
        ("retention", RetentionSettings),
    ):
        try:
            sections[key] = section()
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"]
            raise SettingsError(
                f"environment variable {_variable(section, exc)}: {problem}"
            ) from exc
    try:
        settings = Settings(**sections)
    except ValidationError as exc:
        raise SettingsError(f"environment variable {_variable(Settings, exc)}: {exc}") from exc
    if not settings.neo4j.password:
        settings = settings.with_neo4j(password=_local_password(settings.data_dir))
    if len(settings.neo4j.password) < 8:
        raise SettingsError("NEO4J_PASSWORD must be at least 8 characters (Neo4j's minimum)")
    return settings
