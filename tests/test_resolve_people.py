"""The headless `resolve people` contract, end to end on a small real-shaped extract."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import load_settings
from resolver.linkage.people import ResolveInputError, resolve_people_file
from resolver.linkage.prepare import CONTRACT_COLUMNS
from tests.names import FORENAMES, SURNAMES

PEOPLE = [
    # (system, id, forename, surname, dob, sex, address, postcode, true person)
    (
        "police_a",
        "N1",
        "Robert",
        "JONES",
        "03/04/1990",
        "M",
        "12 Church Road, Barry",
        "CF62 7AB",
        1,
    ),
    ("police_b", "PB7", "Bob", "Jones", "1990-04-03", "Male", "12 Church Rd", "cf627ab", 1),
    ("council", "C9", "Robert", "Jones", "", "", "12 Church Rd, Barry CF62 7AB", "", 1),
    ("social", "S1", "Robert", "Jones", "04/03/1990", "1", "12 Church Road", "CF62 7AB", 1),
    ("police_a", "N2", "Robert", "JONES", "17/11/1962", "M", "3 High Street, Rhyl", "LL18 1AA", 2),
    ("police_a", "N3", "Cerys", "Smith-Evans", "21/06/2001", "F", "7 Maes Y Coed", "SA1 6AB", 3),
    ("police_b", "PB9", "Cerys", "Evans", "2001-06-21", "Female", "7 Maes y Coed", "SA1 6AB", 3),
    ("police_a", "N4", "Megan", "Price", "09/09/1999", "F", "1 Bryn Road", "NP20 4AA", 4),
    ("police_a", "N5", "Morgan", "Price", "09/09/1999", "M", "1 Bryn Road", "NP20 4AA", 5),  # twin
]


def _filler(n: int) -> list[tuple]:
    """Distinct people (a population to learn from), a third of them recorded twice."""
    first, last = FORENAMES, SURNAMES
    rows = []
    for i in range(n):
        f, s = first[i % len(first)], last[(i // len(first)) % len(last)]
        dob = f"{1 + (i * 7) % 28:02d}/{1 + (i * 5) % 12:02d}/{1940 + (i * 11) % 65}"
        postcode = f"CF{10 + i % 40} {i % 9}AB"
        sex = "F" if first.index(f) % 2 else "M"
        rows.append(("filler", f"F{i}", f, s, dob, sex, f"{i} Station Road", postcode, 100 + i))
        if i % 3 == 0:  # recorded again elsewhere, with a typo in the surname
            typo = s[:-1] + ("e" if s[-1] != "e" else "a")
            rows.append(("other", f"O{i}", f, typo, dob, sex, f"{i} Station Rd", postcode, 100 + i))
    return rows


@pytest.fixture(scope="module")
def resolved(tmp_path_factory) -> tuple[list[tuple], dict[tuple[str, str], dict]]:
    folder = tmp_path_factory.mktemp("resolve")
    rows = PEOPLE + _filler(600)
    with (folder / "in.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CONTRACT_COLUMNS, "extra_column"])
        writer.writerows([(*r[:8], "ignored") for r in rows])
    result = subprocess.run(
        [sys.executable, "-m", "crimegraph.cli", "resolve", "people", str(folder / "in.csv"),
         "--out", str(folder / "out.csv")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with (folder / "out.csv").open(newline="", encoding="utf-8") as handle:
        out = list(csv.DictReader(handle))
    assert [(o["source_system"], o["source_record_id"]) for o in out] == [
        (r[0], r[1]) for r in rows
    ]
    return rows, {(o["source_system"], o["source_record_id"]): o for o in out}


def test_output_has_the_contract_columns_one_row_per_input_row(resolved) -> None:
    rows, out = resolved
    assert len(out) == len(rows)
    first = next(iter(out.values()))
    assert list(first) == ["source_system", "source_record_id", "person_id", "match_probability"]
    assert all(0 < float(o["match_probability"]) <= 1 for o in out.values())


def test_the_same_person_across_systems_despite_nickname_formats_and_missing_dob(resolved) -> None:
    _, out = resolved
    ids = {out[(s, i)]["person_id"] for s, i, *_rest, person in PEOPLE if person == 1}
    assert len(ids) == 1
    assert out[("police_a", "N3")]["person_id"] == out[("police_b", "PB9")]["person_id"]


def test_hard_negatives_stay_apart(resolved) -> None:
    _, out = resolved
    assert out[("police_a", "N1")]["person_id"] != out[("police_a", "N2")]["person_id"]  # namesake
    assert out[("police_a", "N4")]["person_id"] != out[("police_a", "N5")]["person_id"]  # twins


def test_singletons_have_probability_one(resolved) -> None:
    _, out = resolved
    sizes: dict[str, int] = {}
    for o in out.values():
        sizes[o["person_id"]] = sizes.get(o["person_id"], 0) + 1
    singles = [o for o in out.values() if sizes[o["person_id"]] == 1]
    assert singles and all(float(o["match_probability"]) == 1.0 for o in singles)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "empty file"),
        ("a,b\n1,2\n", r"missing column\(s\) source_system"),
        (",".join(CONTRACT_COLUMNS) + "\n", "no rows after the header"),
        (
            ",".join(CONTRACT_COLUMNS) + "\na,1,Bob,Jones,,,,\na,2,Ann,Lee,,,,,extra\n",
            r"line 3: too many columns",
        ),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path: Path, content, message) -> None:
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ResolveInputError, match=message):
        resolve_people_file(path, tmp_path / "out.csv")
    result = subprocess.run(
        [sys.executable, "-m", "crimegraph.cli", "resolve", "people", str(path), "--out",
         str(tmp_path / "out.csv")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and re.search(message, result.stderr)


def test_the_same_input_gives_the_same_ids(resolved, tmp_path: Path) -> None:
    rows, out = resolved
    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONTRACT_COLUMNS)
        writer.writerows([r[:8] for r in rows])
    # the CLI keyed its ids under the data directory's id key; the same key, the same ids
    resolve_people_file(tmp_path / "in.csv", tmp_path / "out.csv", id_key=load_settings().id_secret)
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as handle:
        again = {(o["source_system"], o["source_record_id"]): o for o in csv.DictReader(handle)}
    assert {k: v["person_id"] for k, v in again.items()} == {
        k: v["person_id"] for k, v in out.items()
    }
