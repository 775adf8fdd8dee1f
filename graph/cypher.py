"""Named Cypher statements from ``cypher/``: the code never builds Cypher from strings."""

from __future__ import annotations

from functools import cache

from crimegraph.settings import CYPHER_DIR


@cache
def statement(name: str) -> str:
    """The statement in ``cypher/<name>.cypher`` (e.g. ``"queries/forces"``)."""
    path = (CYPHER_DIR / f"{name}.cypher").resolve()
    if CYPHER_DIR.resolve() not in path.parents:
        raise ValueError(f"not a statement under {CYPHER_DIR}: {name}")
    return path.read_text()


def statements(name: str) -> list[str]:
    """A file of several statements, split on the ``;`` that ends each."""
    lines = [ln for ln in statement(name).splitlines() if not ln.strip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
