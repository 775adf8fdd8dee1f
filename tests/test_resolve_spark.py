"""The people model on Spark (Splink's SparkAPI, a local pyspark session) gives the same
people as on DuckDB: the contract command with `--backend spark` against the default."""

import csv
import subprocess
import sys

from core.settings import load_settings
from resolver.linkage.people import resolve_people_file
from resolver.linkage.prepare import CONTRACT_COLUMNS
from tests.test_resolve_people import PEOPLE, _filler


def _read(path) -> dict[tuple[str, str], dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {(r["source_system"], r["source_record_id"]): r for r in csv.DictReader(handle)}


def test_spark_backend_gives_the_duckdb_clusters(tmp_path) -> None:
    rows = PEOPLE + _filler(240)
    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONTRACT_COLUMNS)
        writer.writerows(r[:8] for r in rows)
    # the CLI keys its ids under the data directory's id key: the same key here
    resolve_people_file(
        tmp_path / "in.csv", tmp_path / "duckdb.csv", id_key=load_settings().id_secret
    )
    result = subprocess.run(
        [sys.executable, "-m", "crimegraph.cli", "resolve", "people", str(tmp_path / "in.csv"),
         "--out", str(tmp_path / "spark.csv"), "--backend", "spark"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    on_duckdb, on_spark = _read(tmp_path / "duckdb.csv"), _read(tmp_path / "spark.csv")
    assert list(on_spark) == [(r[0], r[1]) for r in rows]
    assert {k: r["person_id"] for k, r in on_spark.items()} == {
        k: r["person_id"] for k, r in on_duckdb.items()
    }
    # The same model, not merely the same clusters: every record's holding link agrees.
    for key, record in on_duckdb.items():
        assert (
            abs(float(record["match_probability"]) - float(on_spark[key]["match_probability"]))
            < 1e-3
        )
    # And the clusters are right: the known people of PEOPLE (one Robert Jones in four
    # records, Cerys under two surnames; twins apart).
    ids = {r[:2]: on_spark[r[:2]]["person_id"] for r in PEOPLE}
    assert len({ids[("police_a", "N1")], ids[("police_b", "PB7")], ids[("social", "S1")]}) == 1
    assert ids[("police_a", "N3")] == ids[("police_b", "PB9")]
    assert ids[("police_a", "N4")] != ids[("police_a", "N5")]
