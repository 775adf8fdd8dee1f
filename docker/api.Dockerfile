# crimegraph API / CLI image. Built by docker/docker-compose.yml from the repository root:
#   docker build -f docker/api.Dockerfile -t crimegraph-api .
# The same image runs the API (`crimegraph serve`, the default command) and the batch
# steps (`crimegraph ingest police-uk`, `crimegraph load`) through `docker compose run`.
FROM python:3.11-slim

# uv: the one the project is locked with (see .venv/pyvenv.cfg). The system Python of
# the image is the only interpreter; uv must not download another.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1
RUN pip install uv==0.13.8

WORKDIR /app

# Dependencies first, from the lock only, so that a source change does not reinstall them.
# README.md is the project's `readme` (pyproject.toml), which hatchling needs to build it.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

# Then the project, one COPY per top-level package (README's layout table). It stays an
# editable install (uv's default): core/settings.py
# finds cypher/ (and web/, once it has content) next to the packages, under /app.
# web/ is not copied: it is empty and untracked for now, and COPY of a missing
# directory fails on a fresh clone; add `COPY web/ web/` when the map lands.
# docker/neo4j/ is not needed: the container talks to the neo4j service and never
# assembles a local server.
COPY core/ core/
COPY resolver/ resolver/
COPY simulate/ simulate/
COPY graph/ graph/
COPY risk/ risk/
COPY responsible/ responsible/
COPY layers/ layers/
COPY live/ live/
COPY api/ api/
COPY ops/ ops/
COPY crimegraph/ crimegraph/
COPY cypher/ cypher/
RUN uv sync --frozen --no-dev

# Unprivileged runtime user. /var/lib/crimegraph (warehouse, caches) is created owned
# by it, so the named volume compose mounts there starts out writable by it.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/crimegraph \
        --shell /usr/sbin/nologin crimegraph \
    && mkdir -p /var/lib/crimegraph /data/source \
    && chown crimegraph:crimegraph /var/lib/crimegraph

ENV PATH="/app/.venv/bin:${PATH}" \
    CRIMEGRAPH_DATA_DIR=/var/lib/crimegraph \
    CRIMEGRAPH_CACHE_DIR=/var/lib/crimegraph/cache \
    CRIMEGRAPH_SOURCE_DATA_DIR=/data/source \
    CRIMEGRAPH_API_HOST=0.0.0.0 \
    CRIMEGRAPH_API_PORT=8000

USER crimegraph
EXPOSE 8000
CMD ["crimegraph", "serve"]
