"""The independent family generator holds the families it promises (pure Python)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from simulate.kinship import write
from simulate.kinship.people import Families, age


def _rows(directory: Path) -> tuple[list[dict], dict[tuple[str, str], str]]:
    with (directory / "input.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (directory / "truth.csv").open(encoding="utf-8") as handle:
        truth = {(r["source_system"], r["source_record_id"]): r["cluster_id"]
                 for r in csv.DictReader(handle)}  # fmt: skip
    return rows, truth


def test_same_seed_same_files_and_every_row_has_its_person(tmp_path: Path) -> None:
    first = write(tmp_path / "a", people=600, seed=5)
    second = write(tmp_path / "b", people=600, seed=5)
    assert first == second
    assert (tmp_path / "a" / "input.csv").read_bytes() == (
        tmp_path / "b" / "input.csv"
    ).read_bytes()
    rows, truth = _rows(tmp_path / "a")
    assert len(rows) == len(truth) == first[0]
    assert first[1] >= 600
    assert {r["source_system"] for r in rows} == {"police", "council", "social_care"}
    assert len({(r["source_system"], r["source_record_id"]) for r in rows}) == len(rows)


def test_families_hold_twins_namesakes_and_married_names() -> None:
    builder = Families(__import__("random").Random(3))
    households = builder.households()
    people = [p for _ in range(3000) for p in next(households)]
    by_home: dict[int, list] = defaultdict(list)
    for person in people:
        by_home[person.household].append(person)
    twins = namesakes = 0
    for members in by_home.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a.dob == b.dob and a.surname == b.surname and a.forename != b.forename:
                    twins += 1
                if a.forename == b.forename and abs(a.dob.year - b.dob.year) >= 15:
                    namesakes += 1
    assert twins >= 20
    assert namesakes >= 10
    married = [p for p in people if p.married_on and p.birth_surname != p.surname]
    assert len(married) >= 200
    assert all(p.surname_on(p.married_on.replace(year=p.married_on.year - 1)) == p.birth_surname
               for p in married)  # fmt: skip
    assert all(age(p) >= 0 for p in people)
