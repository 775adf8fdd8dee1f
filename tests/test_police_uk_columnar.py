"""The columnar reader gives the row-by-row reader's outcome, row for row: the same
records (ids, places, cells) and the same rejections (line, field, reason, raw text),
on real cuts, on files made to be awkward, and on generated ones."""

import csv
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolver import police_uk
from resolver.police_uk_columnar import ColumnarReader
from tests.conftest import BROKEN_POLICE_UK

FIXTURES = BROKEN_POLICE_UK.parent
VALID = [
    "c1", "2025-03", "Derbyshire Constabulary", "Derbyshire Constabulary", "-1.445095",
    "52.912345", "On or near Queen Street", "E01019876", "Derby 001A", "Burglary",
    "Under investigation", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def reader():
    own = ColumnarReader()
    yield own
    own.close()


def assert_same_outcome(parsed: police_uk.ParsedFile, path: Path) -> None:
    reference = police_uk.parse_rows(path)
    assert parsed.rows_in == reference.rows_in
    assert parsed.records.to_pylist() == reference.records.to_pylist()
    assert parsed.rejections == reference.rejections
    assert parsed.rows_in == parsed.rows_loaded + parsed.rows_quarantined


def write(path: Path, rows: list[list[str]], newline: str = "\n", quote_all: bool = False):
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, lineterminator=newline, quoting=quoting)
    writer.writerow(police_uk.HEADER)
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "expected_reader"),
    [
        ("2025-01-btp-cut-street.csv", "columns"),
        ("2025-03-derbyshire-cut-street.csv", "columns"),
        ("2025-01-broken-street.csv", "rows"),  # a stray quote and a quoted newline
    ],
)
def test_real_cuts_read_alike(reader, name: str, expected_reader: str) -> None:
    parsed = reader.parse(FIXTURES / name)
    assert parsed.reader == expected_reader
    assert_same_outcome(parsed, FIXTURES / name)


def _row(**changes: str) -> list[str]:
    row = dict(zip(police_uk.HEADER, VALID, strict=True))
    row.update({k.replace("_", " "): v for k, v in changes.items()})
    return [row[h] for h in police_uk.HEADER]


AWKWARD = [
    _row(),
    _row(),  # the same crime published twice
    _row(Longitude="-1.40000"),  # the same Crime ID, another offence elsewhere
    _row(**{"Crime ID": ""}),  # a crime without an id
    _row(**{"Crime ID": ""}),
    _row(**{"Crime ID": "", "Crime type": "Anti-social behaviour"}),
    _row(**{"Crime ID": "", "Crime type": "Anti-social behaviour"}),
    _row(Month=" 2025-03 "),  # padded: the rules trim it
    _row(Location="On or near Heol\u00a0"),  # a non-breaking space at the end
    _row(Month="2025-13"),
    _row(Month="1999-12"),
    _row(Month="\uff12\uff10\uff12\uff15-03"),  # full-width digits are not a month
    _row(Reported_by=""),
    _row(Crime_type="Littering"),
    _row(Longitude=""),
    _row(Longitude="", Latitude=""),
    _row(Latitude="+52.9"),  # float() takes it, the SQL does not vouch for it
    _row(Latitude="5_2.9"),
    _row(Latitude="nan"),
    _row(Latitude="5.29e1"),
    _row(Longitude="west"),
    _row(Latitude="62.0"),
    _row(Longitude="2.5"),
    _row(LSOA_code="e01019876"),
    _row(LSOA_code="W01"),
    _row(LSOA_code=""),
    _row(Context='said "hello"'),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_awkward_rows_read_alike_on_the_columnar_path(reader, tmp_path, newline, suffix):
    path = write(tmp_path / f"2025-03-awkward-street{suffix}", AWKWARD, newline)
    parsed = reader.parse(path)
    assert parsed.reader == "columns"
    assert_same_outcome(parsed, path)
    assert parsed.rows_loaded >= 12 and parsed.rows_quarantined >= 10


def test_padded_values_are_trimmed_set_wise(reader, tmp_path) -> None:
    """Spaces at a value's edges (real files write "On or near " for an unnamed street)
    are trimmed as the rules strip them, without leaving the fast path."""
    rows = [_row(Location="On or near "), _row(Month=" 2025-03", Latitude="52.912345 "),
            _row(**{"Crime ID": "", "LSOA name": " Derby 001A  "}), _row()]  # fmt: skip
    path = write(tmp_path / "2025-03-padded-street.csv", rows)
    parsed = reader.parse(path)
    assert parsed.reader == "columns" and parsed.rows_loaded == 4
    assert parsed.records["location"].to_pylist()[0] == "On or near"
    assert_same_outcome(parsed, path)


@pytest.mark.parametrize(
    "data",
    [
        b'x,"a" ,b\n',  # a space beside a quote: DuckDB trims it, Python keeps it
        b"\n",  # a blank line holds no row
        b"1,2\n",  # too few fields
        b"\xff,2025-03\n",  # bad bytes
        b'"open quote,2025-03\n',
    ],
)
def test_files_the_columnar_path_cannot_vouch_for_are_read_row_by_row(reader, tmp_path, data):
    path = write(tmp_path / "2025-03-odd-street.csv", [VALID])
    path.write_bytes(path.read_bytes() + data + b",".join(v.encode() for v in VALID) + b"\n")
    parsed = reader.parse(path)
    assert parsed.reader == "rows"
    assert_same_outcome(parsed, path)


FIELD = st.one_of(
    st.sampled_from(["", " ", "x", "2025-03", "Burglary", "Anti-social behaviour", "E01019876",
                     "-1.5", "52.9", "51", "abc", '"q"', "a,b", "\u00a0y", "z\t"]),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=6),
)  # fmt: skip


@st.composite
def street_rows(draw) -> list[list[str]]:
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        row = list(VALID)
        for index in draw(st.sets(st.integers(0, len(VALID) - 1), max_size=3)):
            row[index] = draw(FIELD)
        rows.append(row)
    if draw(st.booleans()):
        rows.append(list(rows[0]))  # a row published twice
    return rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    files=st.lists(street_rows(), min_size=1, max_size=3),
    newline=st.sampled_from(["\n", "\r\n"]),
    quote_all=st.booleans(),
)
def test_generated_files_read_alike(reader, tmp_path, files, newline, quote_all) -> None:
    """Several files read as one batch: each gets its own outcome, as if read alone."""
    paths = [
        write(tmp_path / f"2025-0{n + 1}-generated-street.csv", rows, newline, quote_all)
        for n, rows in enumerate(files)
    ]
    for path, parsed in zip(paths, reader.parse_batch(paths), strict=True):
        assert parsed.source_file == path.name
        assert_same_outcome(parsed, path)


def test_a_batch_gives_each_file_its_own_outcome(reader, tmp_path) -> None:
    """Good files, a broken one, an awkward one, one with no rows and two that cannot be
    read at all, in one batch: each has the outcome it has alone, in order."""
    header_only = tmp_path / "2025-04-empty-street.csv"
    header_only.write_text(",".join(police_uk.HEADER) + "\n")
    headerless = tmp_path / "2025-04-headerless-street.csv"
    headerless.write_text("just,some,text\n")
    paths = [
        FIXTURES / "2025-03-derbyshire-cut-street.csv",
        BROKEN_POLICE_UK,
        write(tmp_path / "2025-03-awkward-street.csv.gz", AWKWARD),
        header_only,
        headerless,
        tmp_path / "absent.csv",
        FIXTURES / "2025-01-btp-cut-street.csv",
    ]
    outcomes = reader.parse_batch(paths)
    assert [getattr(o, "reader", None) for o in outcomes] == [
        "columns", "rows", "columns", "columns", None, None, "columns"
    ]  # fmt: skip
    for path, outcome in zip(paths, outcomes, strict=True):
        if isinstance(outcome, police_uk.SourceFileError):
            with pytest.raises(police_uk.SourceFileError, match=path.name):
                police_uk.parse_rows(path)
        else:
            assert_same_outcome(outcome, path)


def test_ingest_batches_hold_about_the_limit_and_each_name_once(tmp_path) -> None:
    from resolver.police_uk_ingest import batches

    paths = []
    for folder, name, size in [("a", "x.csv", 40), ("a", "y.csv", 40), ("b", "x.csv", 10),
                               ("b", "z.csv", 200), ("b", "w.csv", 5)]:  # fmt: skip
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_bytes(b"." * size)
        paths.append(tmp_path / folder / name)
    groups = batches([*paths, tmp_path / "missing.csv"], limit=100)
    assert [[str(p.relative_to(tmp_path)) for p in g] for g in groups] == [
        ["a/x.csv", "a/y.csv"], ["b/x.csv"], ["b/z.csv"], ["b/w.csv", "missing.csv"]
    ]  # fmt: skip
