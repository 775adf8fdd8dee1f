"""What a backup says it holds, measured the same way on both sides of a restore: rows and
an order-free checksum per warehouse table, journal entries, nodes and relationships of
the graph and a checksum over what the loader and the live path wrote."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import duckdb
from neo4j import Driver

from graph.cypher import statement
from graph.load import graph_counts
from graph.load_steps import STEPS


def warehouse_tables(path: Path) -> dict[str, dict[str, int | str]]:
    """Per base table: its rows and the XOR of its rows' hashes (DuckDB's ``hash`` of the
    whole row), so two copies agree whatever order their rows are stored in."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        found: dict[str, dict[str, int | str]] = {}
        for name in names:
            rows, checksum = con.execute(
                f'SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM "{name}" t'
            ).fetchall()[0]
            found[name] = {"rows": rows, "checksum": f"{checksum:016x}"}
        return found


def journal(path: Path) -> dict[str, int]:
    """Entries in the live journal, and how many the applier has applied."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        entries, applied, last = con.execute(
            "SELECT count(*), count(applied_at), coalesce(max(seq), 0) FROM entries"
        ).fetchone()
    finally:
        con.close()
    return {"entries": entries, "applied": applied, "last_seq": last}


def graph(driver: Driver) -> dict[str, object]:
    """Nodes per label, relationships per type, and a SHA-256 over every (key, content
    hash, live) the loader steps see: equal on two graphs that hold the same load."""
    digest = hashlib.sha256()
    for step in STEPS:
        records, _, _ = driver.execute_query(statement(f"load/{step.name}/existing"))
        rows = sorted(f"{r['key']}|{r['load_hash']}|{bool(r.get('live'))}" for r in records)
        digest.update(f"{step.name}:{len(rows)}\n".encode())
        for row in rows:
            digest.update(row.encode() + b"\n")
    return {"counts": graph_counts(driver), "checksum": digest.hexdigest()}
