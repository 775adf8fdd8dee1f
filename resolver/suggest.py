"""Suggest a registry mapping for a new source extract from its column names AND its values.

``crimegraph sources suggest FILE`` reads a sample of the file and scores every column
against every canonical field (``resolver/schema.py``) twice:

- by its header: the name is normalised (case, punctuation, camelCase and snake_case,
  compounds such as "lastname", abbreviations such as DOB, fname, pcode, addr, ref, no)
  and compared, token by token, with a small vocabulary per field; words that say whose
  value it is ("home", "client" for a person; "incident", "location" for the event)
  separate pairs such as postcode / incident_postcode;
- by its values: the share that parse as dates and how far apart those dates are
  (birth dates spread over decades; event dates cluster), UK postcodes, sex codes,
  known forenames against known surnames, addresses ("12 High Street" against "On or
  near High Street"), UPRNs, WGS84 coordinates, crime types, role words, identifiers
  (whether an id repeats with the same name, so a person, or with the same date and
  different names, so an event), emails, phones and free text.

The two are combined per (column, field), the fields are assigned to columns globally
(each at most once, except ``address`` which may take several columns such as
address_line_1 + town) and anything scoring too low stays unmapped, with its best
guess in the evidence. :func:`suggestion_to_spec` turns the result into registry YAML
(with date formats and code lists read off the sample) for a data steward to confirm.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import yaml
from faker.providers.person.en_GB import Provider as _FakerNames
from scipy.optimize import linear_sum_assignment

from resolver import standardise as std
from resolver.name_frequencies import WELSH_FORENAMES_FEMALE, WELSH_FORENAMES_MALE, WELSH_SURNAMES
from resolver.readers import open_binary, read_rows
from resolver.schema import CANONICAL_FIELDS, ROLES

PSEUDO_FIELDS = {"_title": "a title (Mr, Mrs, Dr)", "_grid": "a grid reference (easting/northing)"}
FIELDS: tuple[str, ...] = tuple(f.name for f in CANONICAL_FIELDS) + tuple(PSEUDO_FIELDS)
ENTITY = {f.name: f.entity for f in CANONICAL_FIELDS}
MAP_THRESHOLD = 0.3  # below this a column stays unmapped
REVIEW_BELOW = 0.8  # confidences under this are flagged for the steward
ADDRESS_SLOTS = 4  # columns that may feed ``address`` together
DATE_FIELDS = ("date_of_birth", "incident_date")

# --------------------------------------------------------------------------- header vocabulary

_ID_WORDS = ("id", "reference", "number", "urn", "key", "identifier", "code")
_PERSON_ID_CONTEXT = (
    "person", "nominal", "client", "subject", "individual", "customer", "service user",
    "resident", "citizen", "offender", "party", "people", "pupil", "patient", "child",
)  # fmt: skip
_INCIDENT_ID_CONTEXT = (
    "incident", "occurrence", "case", "referral", "event", "log", "report", "episode",
    "job", "complaint", "matter", "contact", "investigation",
)  # fmt: skip

SYNONYMS: dict[str, tuple[str, ...]] = {
    "person_id": (
        *(f"{c} {w}" for c in _PERSON_ID_CONTEXT for w in _ID_WORDS),
        "pnc id", "pnc number", "cro number", "nhs number", "pid",
    ),
    "forename": (
        "forename", "forenames", "first name", "first names", "given name", "given names",
        "christian name", "first", "preferred name", "known as",
    ),
    "middle_names": (
        "middle name", "middle names", "middle initial", "other forenames", "other names",
        "second forename", "other given names", "middle",
    ),
    "surname": ("surname", "last name", "family name", "sur name", "last"),
    "full_name": (
        "name", "full name", "person name", "client name", "display name", "complete name",
        "nominal name", "party name", "individual name", "names",
    ),
    "date_of_birth": (
        "date of birth", "dob", "birth date", "born", "birthday", "birth",
        "year of birth", "born on",
    ),
    "sex": ("sex", "gender", "sex code", "gender code", "sex at birth", "legal sex"),
    "address": (
        "address", "home address", "residential address", "address line", "street",
        "town", "city", "locality", "county", "house number", "house name", "street name",
        "postal address", "premises", "residence", "dwelling", "building", "flat",
        "thoroughfare", "post town", "village", "area", "district",
    ),
    "postcode": ("postcode", "post code", "postal code", "home postcode", "zip", "zip code"),
    "uprn": (
        "uprn", "unique property reference number", "property reference", "property id",
        "property number", "blpu", "lpi", "property reference number",
    ),
    "phone": (
        "phone", "telephone", "telephone number", "phone number", "mobile", "mobile number",
        "contact number", "landline", "tel",
    ),
    "email": ("email", "email address", "e mail", "mail", "electronic mail"),
    "incident_id": (
        *(f"{c} {w}" for c in _INCIDENT_ID_CONTEXT for w in _ID_WORDS),
    ),
    "incident_date": (
        "incident date", "date of incident", "occurrence date", "offence date",
        "date committed", "committed date", "committed", "occurred", "date occurred",
        "event date", "case opened", "date opened", "opened date", "opened", "referral date",
        "date of referral", "reported date", "date reported", "crime date", "received date",
        "date received", "report date", "open date", "start date", "date of offence",
        "occurred date", "incident start", "recorded date", "date recorded",
    ),
    "crime_type": (
        "crime type", "offence", "offence type", "offence description", "offence category",
        "offence name", "offence title", "crime category", "incident type", "case type",
        "concern type", "concern", "category", "classification", "crime classification",
        "asb type", "referral reason", "reason for referral", "nature of concern",
        "home office offence", "home office code", "offence code", "crime", "type",
        "incident category", "primary need", "presenting need", "referral type",
    ),
    "description": (
        "description", "details", "narrative", "summary", "notes", "free text", "comments",
        "circumstances", "modus operandi", "mo", "account", "incident details",
        "case notes", "remarks",
    ),
    "incident_address": (
        "location", "incident address", "incident location", "location of incident",
        "offence location", "scene", "place", "locus", "location description",
        "crime location", "where", "venue", "place of incident", "occurrence location",
        "occurrence address", "case location", "address of incident",
    ),
    "incident_postcode": (
        "incident postcode", "location postcode", "offence postcode", "scene postcode",
        "crime postcode", "occurrence postcode",
    ),
    "latitude": ("latitude", "lat", "wgs84 latitude", "gps latitude"),
    "longitude": ("longitude", "lon", "long", "lng", "wgs84 longitude", "gps longitude"),
    "police_reference": (
        "police reference", "police ref", "crime reference", "crime id", "crime number",
        "crime ref", "police crime reference", "police crime number", "police incident number",
        "police id", "police number", "police log", "crime reference number", "crn",
        "police uk id", "force reference",
    ),
    "record_id": (
        "record id", "row id", "record number", "line id", "involvement id", "link id",
        "entry id", "record key", "unique record id", "record reference", "row number",
        "sequence number", "record", "row", "line number", "involvement reference",
    ),
    "role": (
        "role", "involvement", "involvement type", "party role", "party type", "status",
        "nominal type", "person role", "role code", "person type", "capacity",
        "involved as", "relationship to incident", "involvement role", "party status",
    ),
    "_title": ("title", "salutation", "honorific", "prefix", "courtesy title"),
    "_grid": ("easting", "northing", "x", "y", "grid reference", "grid ref", "os grid"),
}  # fmt: skip

ABBREVIATIONS: dict[str, str] = {
    "dob": "date of birth", "yob": "year of birth", "fname": "first name",
    "lname": "last name", "sname": "surname", "mname": "middle name", "fnames": "first names",
    "pcode": "postcode", "pcd": "postcode", "postcd": "postcode", "pc": "postcode",
    "addr": "address", "adr": "address", "add": "address", "ref": "reference",
    "refno": "reference number", "no": "number", "num": "number", "nbr": "number",
    "nr": "number", "nmbr": "number", "tel": "phone", "telno": "phone", "mob": "mobile",
    "dt": "date", "dte": "date", "desc": "description", "descr": "description",
    "loc": "location", "occ": "occurrence", "inc": "incident", "incid": "incident",
    "offn": "offence", "off": "offence", "offense": "offence", "cat": "category",
    "lng": "longitude", "long": "longitude", "lon": "longitude", "lat": "latitude",
    "inv": "involvement", "invl": "involvement", "pers": "person", "nom": "nominal",
    "rec": "record", "cli": "client", "pty": "party", "typ": "type", "cd": "code",
    "nm": "name", "gndr": "gender", "dob_dt": "date of birth", "surnm": "surname",
    "forenm": "forename", "emailaddress": "email address", "st": "street",
    "hse": "house", "crimeno": "crime number",
}  # fmt: skip
STOPWORDS = frozenset({"of", "the", "a", "an", "s", "on", "at", "in", "for", "to", "txt", "val"})
PERSON_CONTEXT = frozenset({
    "person", "nominal", "client", "subject", "individual", "customer", "resident", "home",
    "residential", "party", "offender", "suspect", "victim", "witness", "citizen", "user",
    "pupil", "child", "patient", "birth", "born", "usual", "personal", "people",
})  # fmt: skip
INCIDENT_CONTEXT = frozenset({
    "incident", "occurrence", "offence", "crime", "case", "referral", "event", "location",
    "scene", "report", "reported", "committed", "occurred", "opened", "log", "job", "venue",
    "place", "concern", "investigation",
})  # fmt: skip
NEUTRAL_MODIFIERS = frozenset({
    "full", "main", "primary", "current", "line", "1", "2", "3", "4", "5", "code", "value",
    "field", "number", "id", "reference", "type", "description", "name", "date", "text",
    "recorded", "original", "source", "system", "unique", "new", "old", "latest",
})  # fmt: skip


def _synonym_tokens() -> dict[str, tuple[tuple[str, ...], ...]]:
    out = {}
    for name, phrases in SYNONYMS.items():
        out[name] = tuple(
            tuple(t for t in phrase.split() if t not in STOPWORDS) or tuple(phrase.split())
            for phrase in phrases
        )
    return out


_SYNONYM_TOKENS = _synonym_tokens()
_VOCABULARY = frozenset(
    {t for phrases in _SYNONYM_TOKENS.values() for p in phrases for t in p}
    | {t for v in ABBREVIATIONS.values() for t in v.split()}
    | set(ABBREVIATIONS)
    | PERSON_CONTEXT
    | INCIDENT_CONTEXT
    | NEUTRAL_MODIFIERS
    | STOPWORDS
)
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)


def _segment(token: str) -> list[str]:
    """A compound such as "lastname" or "dateofbirth" split into known words, if it can be."""
    if token in _VOCABULARY or len(token) < 5:
        return [token]
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 14), end):
            piece = token[start:end]
            if best[start] is None or piece not in _VOCABULARY or len(piece) < 2:
                continue
            candidate = [*best[start], piece]
            if best[end] is None or len(candidate) < len(best[end]):
                best[end] = candidate
    return best[-1] or [token]


@lru_cache(maxsize=4096)
def header_tokens(header: str) -> tuple[str, ...]:
    """A header as lower-case words, abbreviations expanded: "Client_DOB" -> client date of
    birth; "FamilyNm" -> family name; "d.o.b" -> date of birth; "Forename(s)" -> forename."""
    text = re.sub(r"(?:\b[A-Za-z]\.){2,}[A-Za-z]?\.?", lambda m: m[0].replace(".", ""), header)
    text = text.replace("#", " number ")
    text = _CAMEL.sub(" ", text.strip())
    raw = [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]
    if len(raw) >= 2 and all(len(t) == 1 and t.isalpha() for t in raw):
        raw = ["".join(raw)]  # "d o b"
    tokens: list[str] = []
    for tok in raw:
        pieces = ABBREVIATIONS.get(tok, tok).split()
        for piece in pieces:
            for part in _segment(piece):
                tokens.extend(ABBREVIATIONS.get(part, part).split())
    kept = [t for t in tokens if t not in STOPWORDS]
    return tuple(kept or tokens)


def _skeleton(word: str) -> str:
    out = word[0]
    for ch in word[1:]:
        if ch not in "aeiou" and ch != out[-1]:
            out += ch
    return out


@lru_cache(maxsize=65536)
def _token_match(h: str, s: str) -> float:
    if h == s:
        return 1.0
    if h.isdigit() or s.isdigit():
        return 0.0
    if len(h) >= 3 and s.startswith(h):
        return 0.85  # an abbreviation by truncation: "occ" for occurrence
    if len(s) >= 4 and h.startswith(s) and len(s) / len(h) >= 0.6:
        return 0.9  # a plural or an ending: "offences", "forenames"
    if len(h) >= 2 and not re.search(r"[aeiou]", h[1:]) and _skeleton(s) == h:
        return 0.85  # a disemvowelled abbreviation: "nm", "gndr", "frnm"
    if len(h) >= 5 and len(s) >= 5:
        ratio = SequenceMatcher(None, h, s).ratio()
        if ratio >= 0.84:
            return 0.9 * ratio  # a typo: "forname", "surename"
    return 0.0


def _extra_penalty(token: str, entity: str | None) -> float:
    if token in NEUTRAL_MODIFIERS:
        return 0.05
    person, incident = token in PERSON_CONTEXT, token in INCIDENT_CONTEXT
    if (entity == "person" and incident) or (entity == "incident" and person):
        return 0.45
    if person or incident:
        return 0.03
    return 0.15


def _phrase_score(header: tuple[str, ...], phrase: tuple[str, ...], entity: str | None) -> float:
    if "".join(header) == "".join(phrase):
        return 1.0
    used: set[int] = set()
    total = 0.0
    for s in phrase:
        best, where = 0.0, None
        for i, h in enumerate(header):
            if i not in used and (m := _token_match(h, s)) > best:
                best, where = m, i
        if where is not None:
            used.add(where)
            total += best
    recall = total / len(phrase)
    if recall == 0:
        return 0.0
    penalty = sum(_extra_penalty(h, entity) for i, h in enumerate(header) if i not in used)
    score = recall * max(0.0, 1.0 - penalty)
    if total < len(phrase) - 0.5:
        score *= 0.75  # part of the phrase missing
    return score


@lru_cache(maxsize=4096)
def header_scores(header: str) -> dict[str, float]:
    """How well a header alone names each field, 0..1."""
    tokens = header_tokens(header)
    if not tokens:
        return dict.fromkeys(FIELDS, 0.0)
    out = {}
    for name in FIELDS:
        entity = ENTITY.get(name)
        entity = None if entity == "involvement" else entity
        out[name] = max(_phrase_score(tokens, p, entity) for p in _SYNONYM_TOKENS[name])
    return out


# --------------------------------------------------------------------------- value vocabulary


def _names(items: Iterable[str]) -> frozenset[str]:
    return frozenset(n.casefold() for n in items)


_FORENAMES = _names(
    [
        *_FakerNames.first_names_male,
        *_FakerNames.first_names_female,
        *WELSH_FORENAMES_MALE,
        *WELSH_FORENAMES_FEMALE,
    ]
)
_SURNAMES = _names([*_FakerNames.last_names, *WELSH_SURNAMES])
ONLY_FORENAMES = _FORENAMES - _SURNAMES
ONLY_SURNAMES = _SURNAMES - _FORENAMES
_TITLE_TEXT = "mr mrs ms miss mx dr master rev revd sir dame lady lord prof capt fr sr"
TITLES = frozenset(_TITLE_TEXT.split())
ROLE_WORDS: dict[str, str] = {
    "suspect": "suspect", "sus": "suspect", "susp": "suspect", "offender": "suspect",
    "perpetrator": "suspect", "perp": "suspect", "accused": "suspect",
    "alleged offender": "suspect", "defendant": "suspect", "arrested": "suspect",
    "suspect/offender": "suspect", "alleged perpetrator": "suspect",
    "victim": "victim", "vic": "victim", "aggrieved": "victim", "injured party": "victim",
    "ip": "victim", "witness": "witness", "wit": "witness", "wtn": "witness",
    "reporter": "reporter", "informant": "reporter", "caller": "reporter",
    "complainant": "reporter", "referrer": "reporter", "person reporting": "reporter",
    "subject": "subject", "client": "subject", "service user": "subject",
    "other": "other", "involved": "other", "associate": "other", "third party": "other",
    "parent": "other", "carer": "other", "relative": "other", "person of interest": "other",
}  # fmt: skip
ROLE_LETTERS = {"s": "suspect", "v": "victim", "w": "witness", "r": "reporter",
                "o": "other", "c": "reporter", "p": "suspect", "i": "reporter"}  # fmt: skip
_STREET_TEXT = """road rd street st avenue ave av close cl crescent cres drive dr lane ln place pl
    square sq terrace tce terr court ct gardens gdns green grn park pk grove grv way view
    hill row walk mews rise parade court vale heol ffordd stryd lon rhodfa cilgant
    boulevard parkway wharf quay bank mount close estate industrial retail centre"""
STREET_WORDS = frozenset(_STREET_TEXT.split())
LOCATION_PREFIX = re.compile(
    r"^\s*(on or near|near|nr\.?|outside|o/s|junction of|jct|opposite|opp\.?|rear of|"
    r"adjacent to|adj\.?|in|at|by|behind|close to)\b",
    re.IGNORECASE,
)
HOUSE_NUMBER = re.compile(r"^\s*(?:(?:flat|apartment|apt|unit)\s*\w+,?\s*)?\d+[a-z]?\b", re.I)
HEX_ID = re.compile(r"[0-9a-f]{24,64}")
ID_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_\-.:]*")
NAME_TEXT = re.compile(r"[^\W\d_]+(?:[ '.,\-]+[^\W\d_]+)*\.?")  # letters, no digits/@
STREET_TEXT = re.compile(r"\d+[a-z]?,?\s+(?:[^\W\d_]{2,}\s*)")  # a number then a word
DECIMAL = re.compile(r"[-+]?\d+\.\d+")
WORDS = re.compile(r"(?:^|\s)[A-Za-z]{3,}(?=\s|$)")  # a word of letters, not just an id prefix
EMPTY = frozenset({"", "null", "none", "nan", "n/a", "na", "nat"})


# --------------------------------------------------------------------------- the suggestion


@dataclass(frozen=True)
class ColumnSuggestion:
    column: str
    field: str | None
    confidence: float
    evidence: str


@dataclass
class Suggestion:
    path: Path
    file_format: str
    columns: list[ColumnSuggestion]
    rows_sampled: int
    samples: dict[str, list[str | None]] = field(default_factory=dict, repr=False)
    scores: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    @property
    def mapping(self) -> dict[str, str | None]:
        """Source column → suggested canonical field (None: unmapped), in file order."""
        return {c.column: c.field for c in self.columns}

    def get(self, column: str) -> ColumnSuggestion:
        return next(c for c in self.columns if c.column == column)


def detect_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".csv", ".txt")):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise ValueError(f"{path}: cannot tell the format from the name; give it (csv, jsonl, parquet)")


def _columns_in_order(path: Path, file_format: str, rows: list[dict]) -> list[str]:
    columns: list[str] = []
    if file_format == "csv":
        with open_binary(path) as raw:  # the reader's own gzip-aware open
            first = raw.readline().decode("utf-8-sig", "replace")
        columns = [h.strip() for h in next(csv.reader([first]), [])]
    elif file_format == "parquet":
        columns = list(pq.ParquetFile(path).schema_arrow.names)
    seen = set(columns)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    return columns


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return None if text.casefold() in EMPTY else text


def suggest_mapping(
    path: Path,
    file_format: str | None = None,
    sample_rows: int = 2000,
    today: date | None = None,
    *,
    use_values: bool = True,
) -> Suggestion:
    """Suggest a canonical field for every column of ``path`` (``use_values=False``: from the
    header names alone, the baseline the value evidence is measured against)."""
    path = Path(path)
    file_format = file_format or detect_format(path)
    today = today or date.today()
    rows: list[dict] = []
    for row in read_rows(path, file_format):
        if row.values is not None:
            rows.append(row.values)
            if len(rows) >= sample_rows:
                break
    columns = _columns_in_order(path, file_format, rows)
    cells = {c: [_clean(r.get(c)) for r in rows] for c in columns}
    return suggest_from_cells(
        columns, cells, file_format=file_format, path=path, today=today, use_values=use_values
    )


def suggest_from_cells(
    columns: list[str],
    cells: dict[str, list[str | None]],
    *,
    file_format: str,
    path: Path,
    today: date,
    use_values: bool = True,
) -> Suggestion:
    header = {c: header_scores(c) for c in columns}
    if use_values:
        profiles = _profile_all(columns, cells, today)
        values = {c: profiles[c].scores for c in columns}
        gates = {c: profiles[c].gates for c in columns}
        notes = {c: profiles[c].note for c in columns}
    else:
        values = {c: {} for c in columns}
        gates = {c: {} for c in columns}
        notes = dict.fromkeys(columns, "")
    combined: dict[str, dict[str, float]] = {}
    for c in columns:
        combined[c] = {}
        for name in FIELDS:
            h = header[c].get(name, 0.0)
            v = values[c].get(name, 0.0)
            gate = 0.2 + 0.8 * gates[c].get(name, 1.0)
            combined[c][name] = gate * (1 - (1 - 0.85 * h) * (1 - 0.75 * v))
    assigned = _fix_ids(_assign(columns, combined))
    out = []
    for c in columns:
        target = assigned.get(c)
        ranked = sorted(combined[c].items(), key=lambda kv: -kv[1])
        best_name = ranked[0][0]
        if target is None or target.startswith("_"):
            guess = target or best_name
            why = PSEUDO_FIELDS.get(guess, guess)
            if combined[c][guess] >= 0.05:
                evidence = f"unmapped (best guess {why}, {combined[c][guess]:.2f})"
            else:
                evidence = "unmapped (nothing in the header or values matches a field)"
            if notes[c]:
                evidence += f"; values: {notes[c]}"
            out.append(ColumnSuggestion(c, None, round(combined[c][guess], 3), evidence))
            continue
        score = combined[c][target]
        runner = max((s for n, s in ranked if n != target), default=0.0)
        margin = max(0.0, score - runner)
        confidence = min(1.0, score * (0.8 + 0.2 * min(1.0, margin / 0.25)))
        parts = [f"header {header[c].get(target, 0.0):.2f}"]
        if use_values:
            parts.append(f"values {values[c].get(target, 0.0):.2f}")
            if notes[c]:
                parts.append(notes[c])
        other = next((n for n, _ in ranked if n != target), None)
        if other and combined[c][other] >= 0.05:
            parts.append(f"next best {other} {combined[c][other]:.2f}")
        out.append(ColumnSuggestion(c, target, round(confidence, 3), "; ".join(parts)))
    return Suggestion(
        path=path,
        file_format=file_format,
        columns=out,
        rows_sampled=len(next(iter(cells.values()), [])),
        samples=cells,
        scores=combined,
    )


def _assign(columns: list[str], combined: dict[str, dict[str, float]]) -> dict[str, str | None]:
    """Each canonical field to at most one column (``address`` to several), maximising the
    total score; a column whose best available score is under the threshold stays None."""
    slots: list[str] = []
    for name in FIELDS:
        if name.startswith("_"):
            continue
        slots += [name] * (ADDRESS_SLOTS if name == "address" else 1)
    n = len(columns)
    matrix = np.full((n, len(slots) + n), -1e6)
    for i, c in enumerate(columns):
        seen_address = 0
        for j, name in enumerate(slots):
            score = combined[c][name]
            if name == "address":
                score *= 1 - 0.02 * seen_address
                seen_address += 1
            matrix[i, j] = score if score >= MAP_THRESHOLD else -1.0
        pseudo = max((combined[c][p] for p in PSEUDO_FIELDS), default=0.0)
        matrix[i, len(slots) + i] = max(MAP_THRESHOLD, pseudo)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    out: dict[str, str | None] = {}
    for i, j in zip(rows, cols, strict=True):
        c = columns[i]
        if j < len(slots) and matrix[i, j] > 0:
            out[c] = slots[j]
        else:
            pseudo = max(PSEUDO_FIELDS, key=lambda p: combined[c][p])
            out[c] = pseudo if combined[c][pseudo] >= MAP_THRESHOLD else None
    return out


def _fix_ids(assigned: dict[str, str | None]) -> dict[str, str | None]:
    """A row-unique id is the record id only when the file also names its events: a file
    with one row per referral and no other event id keys its events by it."""
    fields = set(assigned.values())
    has_incident = bool(fields & {"incident_date", "crime_type", "incident_address"})
    if "record_id" in fields and "incident_id" not in fields and has_incident:
        return {c: ("incident_id" if f == "record_id" else f) for c, f in assigned.items()}
    if "record_id" in fields and "person_id" not in fields and not has_incident:
        return {c: ("person_id" if f == "record_id" else f) for c, f in assigned.items()}
    return assigned


# --------------------------------------------------------------------------- value evidence


@dataclass
class Profile:
    column: str
    cells: list[str | None]
    filled: list[str]
    counts: Counter
    features: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    gates: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def fill(self) -> float:
        return len(self.filled) / len(self.cells) if self.cells else 0.0

    @property
    def distinct_ratio(self) -> float:
        return len(self.counts) / len(self.filled) if self.filled else 0.0

    @property
    def note(self) -> str:
        return ", ".join(self.notes)

    def share(self, test) -> float:
        """Share of filled values (weighted by count) for which ``test(value)`` holds."""
        if not self.filled:
            return 0.0
        hits = sum(n for value, n in self.counts.items() if test(value))
        return hits / len(self.filled)


def _ok(fn, value) -> bool:
    try:
        return fn(value) is not None
    except (std.StandardiseError, ValueError):
        return False


def _float(value: str) -> float | None:
    try:
        return float(value) if "." in value else None
    except ValueError:
        return None


def _ages(profile: Profile, today: date) -> tuple[float, list[float], dict[str, int], set[str]]:
    """Share of values that are dates, their ages in years (weighted), their precisions and
    the values that parsed."""
    ages: list[float] = []
    parsed_values: set[str] = set()
    precisions: Counter = Counter()
    hits = 0
    for value, n in profile.counts.most_common(600):
        if value.isdigit() and len(value) not in (4, 8):
            continue
        if value.isdigit() and len(value) == 4 and not 1880 <= int(value) <= today.year + 1:
            continue
        try:
            parsed = std.parse_date(value, today=today)
        except std.StandardiseError:
            continue
        if parsed is None:
            continue
        hits += n
        parsed_values.add(value)
        middle = parsed.as_date() + (parsed.last_date() - parsed.as_date()) / 2
        ages.extend([(today - middle).days / 365.25] * n)
        precisions[parsed.precision] += n
    counted = sum(n for _, n in profile.counts.most_common(600))
    return (hits / counted if counted else 0.0), ages, dict(precisions), parsed_values


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _norm_value(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.casefold())


def _consistency(keys: list[str | None], cells: list[str | None]) -> float | None:
    """Among key values seen on several rows, the share whose rows all agree on this column."""
    groups: dict[str, set[str]] = defaultdict(set)
    counts: Counter = Counter()
    for k, v in zip(keys, cells, strict=True):
        if k is None or v is None:
            continue
        groups[k].add(_norm_value(v))
        counts[k] += 1
    multi = [k for k, n in counts.items() if n >= 2]
    if len(multi) < 5:
        return None
    return sum(len(groups[k]) == 1 for k in multi) / len(multi)


def _strength(profile: Profile) -> float:
    """How much a column's values can say: little from a handful of filled cells."""
    return min(1.0, len(profile.filled) / 20) if profile.filled else 0.0


def _profile_all(
    columns: list[str], cells: dict[str, list[str | None]], today: date
) -> dict[str, Profile]:
    profiles = {}
    for c in columns:
        filled = [v for v in cells[c] if v is not None]
        profiles[c] = Profile(c, cells[c], filled, Counter(filled))
    for p in profiles.values():
        _kinds(p, today)
    _keys_and_context(profiles)
    for p in profiles.values():
        _field_scores(p)
    return profiles


def _kinds(p: Profile, today: date) -> None:
    """The column-local features: what its values look like, row by row."""
    f = p.features
    if not p.filled:
        return
    f["date"], ages, precisions, dates = _ages(p, today)
    if ages and f["date"] > 0.3:
        f["age_median"] = statistics.median(ages)
        f["age_spread"] = _quantile(ages, 0.9) - _quantile(ages, 0.1)
        f["age_future"] = sum(a < -0.05 for a in ages) / len(ages)
        f["partial"] = 1 - precisions.get("day", 0) / max(1, sum(precisions.values()))
    f["postcode"] = p.share(lambda v: _ok(std.standardise_postcode, v))
    f["postcode_in_text"] = p.share(lambda v: len(v) > 9 and _ok(std.extract_postcode, v))
    sex_values = {v.casefold().rstrip(".") for v in p.counts}
    numeric_sex = sex_values <= {"0", "1", "2", "9"} and len(sex_values) >= 2
    if len(p.counts) <= 8 and (not sex_values <= {"0", "1", "2", "9"} or numeric_sex):
        f["sex"] = p.share(lambda v: _ok(std.standardise_sex, v))
        if numeric_sex:
            f["sex"] *= 0.85
    f["title"] = p.share(lambda v: v.casefold().rstrip(".") in TITLES)
    small = len(p.counts) <= 25
    letters = all(len(v) <= 2 for v in p.counts) and len(p.counts) <= 8
    f["role"] = p.share(
        lambda v: (
            (v.casefold() in ROLE_WORDS and small) or (letters and v.casefold() in ROLE_LETTERS)
        )
    )
    f["alpha"] = p.share(lambda v: bool(NAME_TEXT.fullmatch(v)))
    f["digits"] = p.share(lambda v: v.isdigit())
    f["uprn"] = p.share(lambda v: v.isdigit() and 6 <= len(v) <= 12)
    lengths = [len(v) for v in p.filled if v.isdigit()]
    f["uprn_len"] = statistics.median(lengths) if lengths else 0
    floats = [x for x in (_float(v) for v in p.filled) if x is not None]
    numbers = [x for x in (_number(v) for v in p.filled) if x is not None]
    n = len(p.filled)
    f["latitude"] = sum(49 <= x <= 61 for x in floats) / n
    f["longitude"] = sum(-9 <= x <= 2 for x in floats) / n if floats else 0.0
    f["grid"] = sum(0 <= x <= 1_300_000 and x >= 1000 for x in numbers) / n
    f["email"] = p.share(lambda v: "@" in v and _ok(std.standardise_email, v))
    f["phone"] = p.share(lambda v: _ok(std.standardise_phone, v))
    distinct = list(p.counts.items())[:400]
    total = sum(n for _, n in distinct) or 1
    crime = (
        sum(n for v, n in distinct if WORDS.search(v) and _ok(std.standardise_crime_type, v))
        / total
    )
    f["crime"] = crime if len(p.counts) <= max(60, 0.25 * n) else crime * 0.4
    tokens = [len(v.split()) for v in p.filled]
    f["tokens"] = statistics.mean(tokens)
    f["multi"] = sum(t >= 2 for t in tokens) / n
    f["house_number"] = p.share(
        lambda v: bool(HOUSE_NUMBER.match(v)) and bool(STREET_TEXT.search(v)) and v not in dates
    )
    f["street"] = p.share(
        lambda v: any(t in STREET_WORDS for t in re.split(r"[^a-z]+", v.casefold())[1:])
    )
    f["near"] = p.share(lambda v: bool(LOCATION_PREFIX.match(v)) and len(v.split()) >= 2)
    f["comma"] = p.share(lambda v: "," in v)
    f["hex"] = p.share(lambda v: bool(HEX_ID.fullmatch(v.casefold())))
    f["id_text"] = p.share(
        lambda v: (
            bool(ID_TEXT.fullmatch(v))
            and len(v) >= 3
            and bool(re.search(r"\d", v))
            and not DECIMAL.fullmatch(v)
        )
    )
    shapes = Counter(re.sub(r"[0-9]", "9", re.sub(r"[A-Za-z]", "A", v)) for v in p.filled)
    f["shape"] = shapes.most_common(1)[0][1] / n
    f["unique"] = 1.0 if len(p.counts) >= 0.97 * n else 0.0  # a few duplicated rows aside
    f["repeats"] = 1 - len(p.counts) / n
    _name_features(p)


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _name_features(p: Profile) -> None:
    f = p.features
    fore = sur = name_like = full = 0
    for value, n in p.counts.items():
        words = [w for w in re.split(r"[^a-z'\-]+", value.casefold()) if w]
        if not words or not NAME_TEXT.fullmatch(value):
            continue
        first, last = words[0], words[-1]
        if first in _FORENAMES or last in _SURNAMES or first in _SURNAMES:
            name_like += n
        if len(words) == 1:
            fore += n * (first in ONLY_FORENAMES)
            sur += n * (first in ONLY_SURNAMES)
        elif first in _FORENAMES and last in ONLY_SURNAMES:
            full += n
        elif first in ONLY_SURNAMES and last in _FORENAMES and len(words) <= 4:
            full += n  # surname first: "SMITH, John"
        else:
            fore += n * (first in ONLY_FORENAMES)
            sur += n * (first in ONLY_SURNAMES)
    total = len(p.filled)
    f["name_like"] = name_like / total
    f["forename"] = fore / total
    f["surname"] = sur / total
    f["full_name"] = full / total


def _keys_and_context(profiles: dict[str, Profile]) -> None:
    """Which id columns key people and which key events, from what repeats with them; then,
    for every column, whether it stays constant within a person or within an event."""
    names = [
        p for p in profiles.values()
        if p.features.get("name_like", 0) > 0.5 and p.features.get("alpha", 0) > 0.9
        and p.fill > 0.5
    ]  # fmt: skip
    person_key = incident_key = None
    best_person = best_incident = 0.0
    for p in profiles.values():
        f = p.features
        if not p.filled or f.get("id_text", 0) < 0.8 or f.get("date", 0) > 0.5:
            continue
        if f.get("postcode", 0) > 0.5 or (f.get("uprn", 0) > 0.8 and f.get("uprn_len", 0) >= 9):
            continue
        if f.get("hex", 0) > 0.5:  # cross-references to police.uk: not this file's keys
            continue
        if f.get("unique"):
            continue
        cons = [c for c in (_consistency(p.cells, q.cells) for q in names) if c is not None]
        if not cons:
            continue
        name_cons = statistics.mean(cons)
        f["name_consistency"] = name_cons
        if name_cons >= 0.7 and name_cons * p.fill > best_person:
            person_key, best_person = p, name_cons * p.fill
        if name_cons < 0.5 and (1 - name_cons) * p.fill > best_incident:
            incident_key, best_incident = p, (1 - name_cons) * p.fill
    for p in profiles.values():
        f = p.features
        if person_key is not None:
            f["is_person_key"] = float(p is person_key)
        if incident_key is not None:
            f["is_incident_key"] = float(p is incident_key)
        if not p.filled:
            continue
        estimates = []
        if person_key is not None and p is not person_key:
            c = _consistency(person_key.cells, p.cells)
            if c is not None:
                estimates.append(2 * c - 1)
        if incident_key is not None and p is not incident_key:
            c = _consistency(incident_key.cells, p.cells)
            if c is not None:
                estimates.append(1 - 2 * c)
        if estimates:
            f["person_affinity"] = statistics.mean(estimates)  # +1 person, -1 event
    _towns(profiles)


def _towns(profiles: dict[str, Profile]) -> None:
    """A short place-name column whose value is fixed by the postcode district: a town."""
    postcodes = [p for p in profiles.values() if p.features.get("postcode", 0) > 0.7]
    if not postcodes:
        return
    for pc in postcodes:
        districts = []
        for v in pc.cells:
            try:
                districts.append(std.standardise_postcode(v).split()[0] if v else None)
            except std.StandardiseError:
                districts.append(None)
        for p in profiles.values():
            f = p.features
            if p is pc or not p.filled or f.get("alpha", 0) < 0.95 or len(p.counts) < 3:
                continue
            if p.distinct_ratio > 0.3 or f.get("tokens", 9) > 3.5:
                continue
            if max(f.get(k, 0) for k in ("sex", "role", "title", "crime", "date")) > 0.3:
                continue
            c = _consistency(districts, p.cells)
            if c is not None and c >= 0.85:
                f["town"] = max(f.get("town", 0.0), c)


def _field_scores(p: Profile) -> None:
    f, s, g = p.features, p.scores, p.gates
    if not p.filled:
        p.notes.append("empty in the sample")
        return
    strength = _strength(p)
    affinity = f.get("person_affinity", 0.0)
    n_notes = p.notes
    # dates: birth dates spread over decades; event dates cluster
    date_share = f.get("date", 0.0)
    g["date_of_birth"] = g["incident_date"] = date_share
    if date_share > 0.3:
        spread, median = f["age_spread"], f["age_median"]
        future = f["age_future"]
        dob = min(1.0, max(0.0, (spread - 3) / 10)) * (1.0 if median >= 8 else 0.6)
        dob *= 1 - min(1.0, future * 3)
        event = min(1.0, max(0.0, (10 - spread) / 7)) * (1.0 if median <= 15 else 0.3)
        if f.get("partial", 0) > 0.05:
            dob, event = min(1.0, dob + 0.2), event * 0.7
        dob = min(1.0, max(0.0, dob + 0.3 * affinity))
        event = min(1.0, max(0.0, event - 0.3 * affinity))
        s["date_of_birth"] = date_share * dob * strength
        s["incident_date"] = date_share * event * strength
        n_notes.append(
            f"{date_share:.0%} dates, ages {median:.0f}y median over a {spread:.0f}y spread"
        )
    # postcodes: home unless the column moves with the event
    pc = f.get("postcode", 0.0)
    g["postcode"] = g["incident_postcode"] = pc
    if pc > 0.3:
        s["postcode"] = pc * strength * min(1.0, 0.85 + 0.3 * affinity)
        s["incident_postcode"] = pc * strength * max(0.0, 0.55 - 0.5 * affinity)
        n_notes.append(f"{pc:.0%} UK postcodes")
    # sex, titles, roles
    sex = f.get("sex", 0.0)
    g["sex"] = sex
    if sex > 0.3:
        s["sex"] = sex * strength
        n_notes.append(f"{sex:.0%} sex codes ({', '.join(sorted(p.counts)[:5])})")
    if f.get("title", 0) > 0.5:
        s["_title"] = f["title"] * strength
        n_notes.append(f"{f['title']:.0%} titles")
    role = f.get("role", 0.0)
    if role > 0.3:
        s["role"] = role * strength
        n_notes.append(f"{role:.0%} role words ({', '.join(sorted(p.counts)[:5])})")
    g["role"] = max(role, 1 - f.get("digits", 0)) if len(p.counts) <= 30 else 0.4
    # names
    alpha = f.get("alpha", 0.0)
    for name in ("forename", "middle_names", "surname"):
        g[name] = alpha
    g["full_name"] = alpha * f.get("multi", 0.0)  # a whole name has more than one word
    fore, sur, full = f.get("forename", 0), f.get("surname", 0), f.get("full_name", 0)
    if f.get("name_like", 0) > 0.3 and alpha > 0.8:
        single = fore + sur
        if single > 0:
            fore_share = fore / single
            forename = f["name_like"] * fore_share
            surname = f["name_like"] * (1 - fore_share)
            s["surname"] = surname * strength * (1 - full)
            if p.fill < 0.8:
                s["middle_names"] = forename * strength
                s["forename"] = forename * strength * 0.75
            else:
                s["forename"] = forename * strength * (1 - full)
                s["middle_names"] = forename * strength * 0.5
        s["full_name"] = min(1.0, full * 1.3) * strength
        n_notes.append(
            f"{f['name_like']:.0%} known names ({fore:.0%} forenames, {sur:.0%} surnames"
            + (f", {full:.0%} full names)" if full > 0.1 else ")")
        )
    # addresses
    house, street, near = f.get("house_number", 0), f.get("street", 0), f.get("near", 0)
    textual = 1 - max(date_share, sex, f.get("latitude", 0), f.get("longitude", 0), pc * 0.8)
    g["address"] = g["incident_address"] = g["description"] = textual
    address = max(house * (0.6 + 0.4 * max(street, f.get("comma", 0))), f.get("town", 0) * 0.8)
    address += 0.2 * f.get("postcode_in_text", 0)
    s["address"] = min(1.0, max(0.0, address * (1 - near) + 0.2 * affinity * address)) * strength
    incident_address = near + max(0.0, street - house) * 0.7 * (1 - f.get("town", 0))
    s["incident_address"] = (
        min(1.0, max(0.0, incident_address - 0.2 * affinity * incident_address)) * strength
    )
    if near > 0.3:
        n_notes.append(f"{near:.0%} 'near ...' locations")
    elif house > 0.3:
        n_notes.append(f"{house:.0%} addresses with a house number")
    if f.get("town", 0) > 0:
        n_notes.append("one value per postcode district (a town)")
    # numbers
    uprn = f.get("uprn", 0.0)
    g["uprn"] = max(uprn, 1 - f.get("alpha", 0))
    if uprn > 0.5:
        s["uprn"] = uprn * strength * (1.0 if f.get("uprn_len", 0) >= 9 else 0.5)
        n_notes.append(f"{uprn:.0%} UPRN-like numbers")
    lat, lon = f.get("latitude", 0.0), f.get("longitude", 0.0)
    g["latitude"], g["longitude"] = lat, lon
    if lat > 0.5:
        s["latitude"] = lat * strength
        n_notes.append(f"{lat:.0%} numbers in UK latitudes")
    elif lon > 0.5:
        s["longitude"] = lon * strength
        n_notes.append(f"{lon:.0%} numbers in UK longitudes")
    if f.get("grid", 0) > 0.8 and not _degrees(f):
        s["_grid"] = 0.6 * strength
    email, phone = f.get("email", 0.0), f.get("phone", 0.0)
    g["email"], g["phone"] = email, phone
    s["email"], s["phone"] = email * strength, phone * strength * (1 - uprn * 0.5)
    if email > 0.3:
        n_notes.append(f"{email:.0%} email addresses")
    if phone > 0.3:
        n_notes.append(f"{phone:.0%} UK phone numbers")
    # crime types and free text
    crime = f.get("crime", 0.0)
    g["crime_type"] = 1.0 if crime > 0.2 else max(0.3, alpha)
    if crime > 0.2:
        s["crime_type"] = min(1.0, crime * 1.3) * strength
        n_notes.append(f"{crime:.0%} known crime types")
    if f.get("tokens", 0) >= 6 and p.distinct_ratio > 0.5 and house < 0.3:
        s["description"] = min(1.0, f["tokens"] / 12) * strength
        n_notes.append(f"free text (~{f['tokens']:.0f} words)")
    _id_scores(p, strength)


def _degrees(f: dict[str, float]) -> bool:
    return f.get("latitude", 0) > 0.5 or f.get("longitude", 0) > 0.5


def _id_scores(p: Profile, strength: float) -> None:
    f, s, g = p.features, p.scores, p.gates
    id_like = f.get("id_text", 0) * (0.5 + 0.5 * f.get("shape", 0))
    not_id = max(f.get("date", 0), f.get("postcode", 0), f.get("latitude", 0),
                 f.get("longitude", 0), f.get("sex", 0))  # fmt: skip
    gate = 1 - not_id
    for name in ("person_id", "incident_id", "record_id", "police_reference"):
        g[name] = gate
    if id_like < 0.5 or not_id > 0.5:
        return
    hex_share = f.get("hex", 0)
    if hex_share > 0.5:
        s["police_reference"] = 0.9 * hex_share * strength
        s["incident_id"] = 0.3 * strength
        p.notes.append(f"{hex_share:.0%} police.uk-style crime ids (hex)")
        return
    uprn_like = f.get("digits", 0) > 0.9 and f.get("uprn_len", 0) >= 10
    weight = id_like * strength * (0.6 if uprn_like else 1.0)
    if f.get("is_person_key"):
        s["person_id"] = 0.9 * weight
        p.notes.append(f"id repeating with the same name ({f['name_consistency']:.0%})")
    elif f.get("is_incident_key"):
        s["incident_id"] = 0.85 * weight
        p.notes.append("id shared by rows with different names (an event)")
    elif f.get("unique") and len(p.filled) >= 10:
        s["record_id"] = 0.7 * weight
        s["incident_id"] = 0.45 * weight
        s["person_id"] = 0.4 * weight
        p.notes.append("unique per row")
    else:
        affinity = f.get("person_affinity", 0.0)
        s["person_id"] = 0.4 * weight * (1 + affinity) / 2
        s["incident_id"] = 0.4 * weight * (1 - affinity) / 2
    if p.fill < 0.9:
        s["police_reference"] = max(s.get("police_reference", 0.0), 0.45 * weight)


# --------------------------------------------------------------------------- the registry entry

DATE_FORMATS = (
    "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y",
    "%d-%b-%Y", "%d/%m/%y", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%Y", "%m-%Y", "%Y-%m", "%b %Y", "%Y",
    "%m/%d/%Y",
)  # fmt: skip


def _format_share(values: Counter, fmt: str) -> float:
    hits = 0
    for value, n in values.items():
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            continue
        hits += n
    return hits / max(1, sum(values.values()))


def infer_date_formats(values: Iterable[str | None]) -> list[str]:
    """strptime formats for a date column: the single format that explains ≥95% of its
    values, else the fewest (up to three) that do together; [] when none do."""
    counts = Counter(v for v in values if v)
    if not counts:
        return []
    shares = {fmt: _format_share(counts, fmt) for fmt in DATE_FORMATS}
    if shares["%d/%m/%Y"] >= 0.95 or shares["%m/%d/%Y"] < 0.95:
        shares.pop("%m/%d/%Y")  # UK order unless only the US order explains the column
    best = max(shares, key=lambda k: shares[k])
    if shares[best] >= 0.95:
        return [best]
    chosen: list[str] = []
    remaining = Counter(counts)
    for _ in range(3):
        gains = {fmt: _format_share(remaining, fmt) * sum(remaining.values()) for fmt in shares}
        fmt = max(gains, key=lambda k: gains[k])
        if gains[fmt] == 0:
            break
        chosen.append(fmt)
        for value in list(remaining):
            try:
                datetime.strptime(value, fmt)
            except ValueError:
                continue
            del remaining[value]
        if sum(remaining.values()) <= 0.05 * sum(counts.values()):
            return chosen
    return []


def standardise_role(value: str | None) -> str | None:
    """A canonical role for a source's involvement wording or code, or None if unknown."""
    text = _clean(value)
    if text is None:
        return None
    key = text.casefold()
    if key in ROLES:
        return key
    return ROLE_WORDS.get(key) or ROLE_LETTERS.get(key)


def _code_list(target: str, values: list[str | None]) -> tuple[dict[str, str], list[str]]:
    counts = Counter(v for v in values if v)
    if not counts or len(counts) > 30:
        return {}, []
    codes, unknown = {}, []
    for value in sorted(counts):
        if target == "role":
            mapped = standardise_role(value)
        else:
            try:
                mapped = std.standardise_sex(value)
            except std.StandardiseError:
                mapped = None
        if mapped is None:
            unknown.append(value)
        elif mapped != value:
            codes[value] = mapped
    return codes, unknown


def suggestion_to_spec(s: Suggestion, system: str, file_name: str) -> dict:
    """The registry YAML structure for a suggestion (see resolver/sources.py). Keys that
    start with "_" are notes for the steward (written as comments by :func:`write_spec`)."""
    fields = {c.column: c.field for c in s.columns if c.field}
    mapped = set(fields.values())
    entities = [e for e in ("person", "incident") if any(ENTITY[f] == e for f in mapped)]
    spec: dict = {
        "system": system,
        "title": f"{system} (suggested from {Path(file_name).name}; review before use)",
        "format": s.file_format,
        "file": file_name,
        "entity_types": entities or ["person", "incident"],
        "fields": fields,
    }
    date_formats = {}
    for target in DATE_FIELDS:
        for column in (c for c, f in fields.items() if f == target):
            formats = infer_date_formats(s.samples.get(column, []))
            if formats:
                date_formats[target] = formats
    if date_formats:
        spec["date_formats"] = date_formats
    codes: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    for target in ("role", "sex"):
        for column in (c for c, f in fields.items() if f == target):
            found, unknown = _code_list(target, s.samples.get(column, []))
            if found:
                codes[target] = found
            if unknown:
                notes.append(f"{target}: values with no canonical {target}: {', '.join(unknown)}")
    for column in (c for c, f in fields.items() if f == "crime_type"):
        counts = Counter(v for v in s.samples.get(column, []) if v)
        unknown = sorted(v for v in counts if not _ok(std.standardise_crime_type, v))
        if unknown:
            shown = ", ".join(unknown[:8]) + (" ..." if len(unknown) > 8 else "")
            notes.append(
                f"crime_type: {len(unknown)} values not recognised (add them under "
                f"codes.crime_type or rows will be quarantined): {shown}"
            )
    if codes:
        spec["codes"] = codes
    spec["_confidence"] = {
        c.column: {"field": c.field, "confidence": c.confidence, "evidence": c.evidence}
        for c in s.columns
    }
    spec["_notes"] = notes
    return spec


def write_spec(spec: dict, path: Path) -> None:
    """Write the registry YAML, headed by a comment listing each column's suggested field and
    confidence ("# review:" under 0.8, "# unmapped:" for columns left out) for the steward."""
    lines = [
        f"# Suggested by `crimegraph sources suggest` for {spec.get('file')}:",
        "# confirm every mapping below before ingesting (confidence 0..1).",
    ]
    for column, info in (spec.get("_confidence") or {}).items():
        target, confidence = info.get("field"), info.get("confidence", 0.0)
        tag = "unmapped" if target is None else "review" if confidence < REVIEW_BELOW else "ok"
        label = json.dumps(column, ensure_ascii=False)
        lines.append(
            f"# {tag}: {label} -> {target or '-'} ({confidence:.2f}) {info.get('evidence', '')}"
        )
    for note in spec.get("_notes") or ():
        lines.append(f"# note: {note}")
    body = {k: v for k, v in spec.items() if not k.startswith("_")}
    text = "\n".join(line.rstrip() for line in lines) + "\n"
    text += yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    Path(path).write_text(text, encoding="utf-8")
