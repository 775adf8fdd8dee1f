"""Turn one raw source value into its canonical form.

Every function here is pure: it takes one value as a source system wrote it and returns
the canonical form, ``None`` when the value is missing (empty, whitespace or an obvious
placeholder; missing is not an error), or raises :class:`StandardiseError` with a short
message saying what is wrong with the value. The caller adds the file, row and field.

Canonical forms are chosen for record linkage: two systems that wrote the same fact
differently must produce the same string, so names and addresses are upper-case and
accent-free, dates keep their precision, postcodes have exactly one space, and crime
types are police.uk categories.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from resolver.crime_types import CANONICAL_CRIME_TYPES, CRIME_TYPES

__all__ = [
    "PartialDate",
    "StandardiseError",
    "check_birth_date",
    "clean_text",
    "extract_postcode",
    "parse_date",
    "postcode_parts",
    "split_full_name",
    "standardise_address",
    "standardise_crime_type",
    "standardise_email",
    "standardise_name",
    "standardise_phone",
    "standardise_postcode",
    "standardise_sex",
    "standardise_uprn",
]


class StandardiseError(ValueError):
    """A value that cannot be standardised; the message says what is wrong with it."""


# --------------------------------------------------------------------------- text

# Values systems write when they mean "nothing recorded".
_PLACEHOLDERS = frozenset({"n/a", "null", "none", "unknown", "not known", "n/k"})
_PUNCTUATION_ONLY = re.compile(r"[-?.*_/\\]+")


def _squash(value: object) -> str | None:
    """Strip and collapse whitespace; None for empty. Non-strings (ints from a spreadsheet,
    NaN from pandas) are tolerated so callers need not pre-convert."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = " ".join(str(value).split())
    return text or None


def clean_text(value: str | None) -> str | None:
    """Strip and collapse whitespace; None for empty or placeholder values.

    Placeholders ("N/A", "NULL", "none", "unknown", "-", "?" ...) mean nothing was
    recorded, so they must not reach linkage as if they were data.
    """
    text = _squash(value)
    if text is None:
        return None
    if text.casefold() in _PLACEHOLDERS or _PUNCTUATION_ONLY.fullmatch(text):
        return None
    return text


def _strip_accents(text: str) -> str:
    """NFKD-decompose and drop combining marks ("Siân" -> "Sian")."""
    text = text.translate(_TRANSLITERATE)
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


# Letters NFKD does not decompose into a base letter.
_TRANSLITERATE = str.maketrans(
    {
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "TH",
        "þ": "th",
        "ß": "ss",
        "\u0131": "i",  # dotless i
    }
)

# --------------------------------------------------------------------------- names

_TITLES = frozenset(
    {
        "MR",
        "MRS",
        "MS",
        "MISS",
        "MX",
        "MSTR",
        "MASTER",
        "DR",
        "DOCTOR",
        "REV",
        "REVD",
        "REVEREND",
        "FR",
        "SIR",
        "DAME",
        "LORD",
        "LADY",
        "PROF",
        "PROFESSOR",
        "CLLR",
    }
)
# Titles that are also surnames: kept when they are the whole value.
_SURNAME_TITLES = frozenset({"MASTER", "LORD", "LADY", "DAME"})

# Generational suffixes, dropped from the end of a whole name ("John Smith Jnr").
_SUFFIXES = frozenset({"JR", "JNR", "JUNIOR", "SR", "SNR", "SENIOR", "II", "III", "IV"})

# Lower-case words that belong to the surname that follows them.
_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "delle",
        "di",
        "da",
        "du",
        "des",
        "dos",
        "das",
        "do",
        "la",
        "le",
        "lo",
        "st",
        "ter",
        "ten",
        "bin",
        "bint",
        "ibn",
        "abu",
        "al",
        "el",
        "ap",
        "mac",
        "mc",
        "o'",
        "d'",
    }
)

# Curly quotes, backtick, acute accent and modifier letter, all written as apostrophes.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018`\u00b4\u02bc", "'"))
# Unicode hyphens and dashes.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015", "-"))


def _name_tokens(text: str, original: str) -> list[str]:
    """Accent-free name tokens, case preserved (the caller may need it), no titles dropped.

    Raises on digits; returns [] when there are no letters.
    """
    if any(ch.isdigit() for ch in text):
        raise StandardiseError(f"name contains digits: {original}")
    text = _strip_accents(text.translate(_APOSTROPHES).translate(_DASHES))
    text = "".join(ch if ch.isalpha() or ch in "'-" else " " for ch in text)
    text = re.sub(r"\s*-\s*", "-", text)  # "Smith - Jones" -> "Smith-Jones"
    text = re.sub(r"-{2,}", "-", text)
    text = re.sub(r"\b([^\W\d_]{1,2})'\s+", r"\1'", text)  # "O' Brien" -> "O'Brien"
    tokens = [tok.strip("'-") for tok in text.split()]
    return [tok for tok in tokens if any(ch.isalpha() for ch in tok)]


def _drop_titles(tokens: list[str]) -> list[str]:
    """Drop leading titles, keeping a lone surname-like one ("Lord") and dropping a lone
    plain title ("Mr" means no name was recorded)."""
    out = list(tokens)
    while out and out[0].upper() in _TITLES:
        if len(out) == 1 and out[0].upper() in _SURNAME_TITLES:
            break
        out.pop(0)
    return out


def _join(tokens: Sequence[str]) -> str | None:
    return " ".join(tok.upper() for tok in tokens) or None


def standardise_name(value: str | None) -> str | None:
    """One name field as UPPER CASE letters, apostrophes, hyphens and single spaces.

    Accents, curly apostrophes and leading titles are normalised away so that
    "Mrs Siân O'Brien" and "SIAN O'BRIEN" compare equal. Raises on digits or when no
    letters are left.
    """
    text = clean_text(value)
    if text is None:
        return None
    tokens = _name_tokens(text, text)
    if not tokens:
        raise StandardiseError(f"no letters in name: {text}")
    return _join(_drop_titles(tokens))


def _letters(token: str) -> str:
    return "".join(ch for ch in token if ch.isalpha())


def _is_caps(token: str) -> bool:
    """Whole-word capitals (of two letters or more), as police systems write surnames.
    "McDONALD" / "MacDONALD" count as capitals."""
    letters = _letters(token)
    for prefix in ("Mc", "Mac"):
        if letters.startswith(prefix) and len(letters) > len(prefix) + 1:
            letters = letters[len(prefix) :]
            break
    return len(letters) >= 2 and letters.isupper()


def _is_particle(token: str) -> bool:
    return token.lower() in _PARTICLES


def _name_parts(
    given: Sequence[str], surname: Sequence[str]
) -> tuple[str | None, str | None, str | None]:
    forename = given[0].upper() if given else None
    return forename, _join(given[1:]), _join(surname)


def _surname_first_split(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(given, surname) when the surname comes first, particles included ("van der Berg Jan")."""
    end = 0
    while end < len(tokens) - 1 and _is_particle(tokens[end]):
        end += 1
    return tokens[end + 1 :], tokens[: end + 1]


def _surname_last_split(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(given, surname) in western order, preceding particles kept with the surname."""
    start = len(tokens) - 1
    while start > 1 and _is_particle(tokens[start - 1]):
        start -= 1
    return tokens[:start], tokens[start:]


def split_full_name(
    value: str | None, *, surname_first: bool | None = None
) -> tuple[str | None, str | None, str | None]:
    """Split a whole name into (forename, middle_names, surname), each standardised.

    Order is decided, in turn, by: a comma ("Smith, John Paul": surname first); the
    ``surname_first`` argument when the source's convention is known; a run of
    whole-word capitals among other words ("SMITH John", "John SMITH": the capitals are
    the surname, as police systems write it); trailing initials ("SMITH J P"); otherwise
    forename first. Titles and trailing "Jnr"/"Snr"/"III" are dropped; hyphenated
    surnames stay one surname; particles ("van der", "de", "O'", "Mac") stay with the
    surname. A single word is a surname.
    """
    text = clean_text(value)
    if text is None:
        return None, None, None

    if "," in text:
        head, _, tail = text.partition(",")
        surname = _drop_titles(_name_tokens(head, text))
        given = _drop_titles(_name_tokens(tail.replace(",", " "), text))
        if not surname and not given:
            raise StandardiseError(f"no letters in name: {text}")
        return _name_parts(given, surname)

    tokens = _name_tokens(text, text)
    if not tokens:
        raise StandardiseError(f"no letters in name: {text}")
    tokens = _drop_titles(tokens)
    while len(tokens) > 2 and tokens[-1].upper() in _SUFFIXES:
        tokens.pop()
    if not tokens:
        return None, None, None
    if len(tokens) == 1:
        return None, None, _join(tokens)

    if surname_first is True:
        return _name_parts(*_surname_first_split(tokens))
    if surname_first is False:
        return _name_parts(*_surname_last_split(tokens))

    caps = [i for i, tok in enumerate(tokens) if _is_caps(tok)]
    others = [tok for i, tok in enumerate(tokens) if i not in caps and len(_letters(tok)) >= 2]
    if caps and others and caps == list(range(caps[0], caps[-1] + 1)):
        start, end = caps[0], caps[-1] + 1
        while start > 0 and _is_particle(tokens[start - 1]):
            start -= 1
        return _name_parts(tokens[:start] + tokens[end:], tokens[start:end])

    initials = 0
    while initials < len(tokens) and len(_letters(tokens[-1 - initials])) == 1:
        initials += 1
    head = tokens[: len(tokens) - initials]
    if 0 < initials < len(tokens) and all(_is_particle(tok) for tok in head[:-1]):
        return _name_parts(tokens[len(head) :], head)

    return _name_parts(*_surname_last_split(tokens))


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or only the year.

    Sources often record only a month or year of birth; keeping the precision lets
    linkage compare "1990" with "1990-04-03" as compatible rather than unequal.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not date.min.year <= self.year <= date.max.year:
            raise StandardiseError(f"no such date: year {self.year}")
        if self.month is None:
            if self.day is not None:
                raise StandardiseError("no such date: a day without a month")
            return
        if not 1 <= self.month <= 12:
            raise StandardiseError(f"no such date: month {self.month}")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise StandardiseError(
                    f"no such date: {self.year:04d}-{self.month:02d}-{self.day:02d}"
                )

    @property
    def precision(self) -> str:
        """One of "day", "month" or "year"."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def as_date(self) -> date:
        """The first day of the period."""
        return date(self.year, self.month or 1, self.day or 1)

    def last_date(self) -> date:
        """The last day of the period (for range checks on partial dates)."""
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        """ISO 8601 at the date's precision: "1990-04-03", "1990-04" or "1990"."""
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
        if self.day is not None:
            out += f"-{self.day:02d}"
        return out

    def __str__(self) -> str:
        return self.iso()


_MONTH_NAMES = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_WEEKDAYS = frozenset(
    {d.lower() for d in calendar.day_name}
    | {d.lower() for d in calendar.day_abbr}
    | {"tues", "thur", "thurs"}
)
_TIME_PART = re.compile(
    r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_YM = re.compile(r"(\d{4})[-/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})([-/. ])(\d{1,2})\2(\d{4}|\d{2})")
_MY = re.compile(r"(\d{1,2})[-/. ](\d{4})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_MIN_YEAR = 1000


def _is_digits(text: str) -> bool:
    return re.fullmatch(r"[0-9]+", text) is not None


def _month_number(word: str) -> int | None:
    word = word.lower()
    if word == "sept":
        return 9
    for name, number in _MONTH_NAMES.items():
        if word in (name, name[:3]):
            return number
    return None


def _pivot(two_digit: int, month: int | None, day: int | None, today: date) -> int:
    """Two-digit year -> the latest year that does not put the date after today."""
    year = 2000 + two_digit
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        year -= 100
    return year


def _make_date(year: int, month: int | None, day: int | None, original: str) -> PartialDate:
    if year < _MIN_YEAR:
        raise StandardiseError(f"no such date: {original}")
    try:
        return PartialDate(year, month, day)
    except StandardiseError:
        raise StandardiseError(f"no such date: {original}") from None


def _from_format(text: str, fmt: str, today: date) -> PartialDate | None:
    try:
        parsed = datetime.strptime(text, fmt)
    except ValueError:
        return None
    has_day = "%d" in fmt or "%j" in fmt
    has_month = has_day or any(d in fmt for d in ("%m", "%b", "%B"))
    month = parsed.month if has_month else None
    day = parsed.day if has_day else None
    year = parsed.year
    if "%y" in fmt and "%Y" not in fmt:
        year = _pivot(year % 100, month, day, today)
    return _make_date(year, month, day, text)


def _numeric_date(text: str, dayfirst: bool, today: date) -> PartialDate | None:
    if _is_digits(text):
        if len(text) == 4:
            return _make_date(int(text), None, None, text)
        if len(text) == 8:
            try:
                return _make_date(int(text[:4]), int(text[4:6]), int(text[6:]), text)
            except StandardiseError:
                year = int(text[4:])
                if not 1800 <= year <= 2199:  # ddmmyyyy only when plainly so
                    raise
                return _make_date(year, int(text[2:4]), int(text[:2]), text)
        if len(text) == 5:
            raise StandardiseError(f"looks like a spreadsheet serial number, not a date: {text}")
        raise StandardiseError(f"not a recognised date: {text}")
    if _SERIAL.fullmatch(text):
        raise StandardiseError(f"looks like a spreadsheet serial number, not a date: {text}")
    if m := _YMD.fullmatch(text):
        return _make_date(int(m[1]), int(m[3]), int(m[4]), text)
    if m := _YM.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), None, text)
    if m := _DMY.fullmatch(text):
        first, second = int(m[1]), int(m[3])
        day, month = (first, second) if dayfirst else (second, first)
        if month > 12 and day <= 12:  # the other habit: 04/23/1990 can only be 23 April
            day, month = month, day
        year = int(m[4]) if len(m[4]) == 4 else _pivot(int(m[4]), month, day, today)
        return _make_date(year, month, day, text)
    if m := _MY.fullmatch(text):
        return _make_date(int(m[2]), int(m[1]), None, text)
    return None


def _year(token: str, month: int, day: int | None, today: date) -> int | None:
    if _is_digits(token) and len(token) == 4:
        return int(token)
    if _is_digits(token) and len(token) == 2:
        return _pivot(int(token), month, day, today)
    return None


def _worded_date(text: str, today: date) -> PartialDate | None:
    """ "3 Apr 1990", "3rd of April 1990", "Tuesday, April 3, 1990", "Apr-1990", "03-APR-90"."""
    tokens = []
    for tok in re.split(r"[\s,/.-]+", text.lower()):
        if not tok or tok == "of" or tok in _WEEKDAYS:
            continue
        if m := _ORDINAL.fullmatch(tok):
            tok = m[1]
        tokens.append(tok)
    shape = "".join("9" if _is_digits(tok) else "a" for tok in tokens)
    if shape == "9a9" and len(tokens[0]) == 4:
        year_tok, month_tok, day_tok = tokens
    elif shape == "9a9":
        day_tok, month_tok, year_tok = tokens
    elif shape == "a99":
        month_tok, day_tok, year_tok = tokens
    elif shape == "a9":
        month_tok, year_tok = tokens
        day_tok = ""
    else:
        return None
    month = _month_number(month_tok)
    if month is None or len(day_tok) > 2:
        return None
    day = int(day_tok) if day_tok else None
    year = _year(year_tok, month, day, today)
    if year is None:
        return None
    return _make_date(year, month, day, text)


def parse_date(
    value: str | date | None,
    formats: Sequence[str] | None = None,
    *,
    dayfirst: bool = True,
    today: date | None = None,
) -> PartialDate | None:
    """Parse a date as UK sources write it, keeping its precision.

    ``formats`` (strptime) are tried first, then the common forms: dd/mm/yyyy (also with
    "-", "." or " "), dd/mm/yy, ISO with or without a time, yyyymmdd, "3rd April 1990",
    "April 3, 1990", month-only ("Apr-1990", "04/1990", "1990-04") and year-only ("1990").
    ``dayfirst`` says whether 03/04/1990 is 3 April (UK, the default) or 4 March; a slot
    above 12 forces the other reading. Two-digit years take the latest century that does
    not put the date after ``today``. Spreadsheet serial numbers are refused: too
    ambiguous to guess.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return PartialDate(value.year, value.month, value.day)
    text = clean_text(value)
    if text is None:
        return None
    today = today or date.today()
    for fmt in formats or ():
        if (parsed := _from_format(text, fmt, today)) is not None:
            return parsed
    bare = _TIME_PART.sub("", text)
    if not bare:
        raise StandardiseError(f"not a recognised date: {text}")
    parsed = _numeric_date(bare, dayfirst, today)
    if parsed is None:
        parsed = _worded_date(bare, today)
    if parsed is None:
        raise StandardiseError(f"not a recognised date: {text}")
    return parsed


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_birth_date(d: PartialDate, *, today: date | None = None) -> None:
    """Raise if ``d`` cannot be a living or recent person's date of birth: wholly in the
    future, or wholly more than 120 years ago (a partial date passes if any day of it could)."""
    today = today or date.today()
    if d.as_date() > today:
        raise StandardiseError(f"impossible date of birth: {d.iso()} is in the future")
    if d.last_date() < _years_before(today, 120):
        raise StandardiseError(f"impossible date of birth: {d.iso()} is more than 120 years ago")


# --------------------------------------------------------------------------- sex

_SEX_CODES = {
    "m": "M",
    "male": "M",
    "man": "M",
    "boy": "M",
    "1": "M",
    "f": "F",
    "female": "F",
    "woman": "F",
    "girl": "F",
    "2": "F",
    "u": "U",
    "x": "U",
    "0": "U",
    "9": "U",
    "unknown": "U",
    "unk": "U",
    "not known": "U",
    "n/k": "U",
    "nk": "U",
    "not stated": "U",
    "not specified": "U",
    "unspecified": "U",
    "prefer not to say": "U",
    "other": "U",
    "indeterminate": "U",
}


def standardise_sex(value: str | int | None) -> str | None:
    """One of "M", "F" or "U" from the many codings sources use (ONS: 1 male, 2 female, 0/9 not
    known). "Unknown" is a recorded answer ("U"); an empty or "N/A" field is missing (None).
    """
    text = _squash(value)
    if text is None:
        return None
    code = _SEX_CODES.get(text.casefold().rstrip("."))
    if code is not None:
        return code
    if clean_text(text) is None:
        return None
    raise StandardiseError(f"not a recognised sex: {text}")


# --------------------------------------------------------------------------- postcodes

# Every postcode area in use, including the Crown dependencies (GY, JE, IM), British
# Forces (BF) and the non-geographic BX.
_AREAS_TEXT = """
    AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
    DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT
    KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG
    RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC
    WD WF WN WR WS WV YO ZE
"""
_POSTCODE_AREAS = frozenset(_AREAS_TEXT.split())
_OUTWARD = re.compile(r"([A-Z]{1,2})([0-9][A-Z0-9]?)")
# Letters allowed after the district digit: A9A (e.g. W1A) and AA9A (e.g. EC1A).
_DISTRICT_LETTERS = {1: "ABCDEFGHJKPSTUW", 2: "ABEHMNPRVWXY"}
_INWARD = re.compile(r"[0-9][ABD-HJLNP-UW-Z]{2}")
# A digit slot read as a letter: O for 0, I for 1 (neither letter is valid there).
_DIGIT_SLIPS = str.maketrans({"O": "0", "I": "1"})
_POSTCODE_IN_TEXT = re.compile(
    r"\b(?:[A-Z]{1,2}[0-9OI][A-Z0-9]?\s*[0-9OI][A-Z]{2}|GIR\s*[0O]AA)\b", re.IGNORECASE
)


def _valid_outward(outward: str) -> bool:
    m = _OUTWARD.fullmatch(outward)
    if m is None or m[1] not in _POSTCODE_AREAS:
        return False
    district = m[2]
    return not district[-1].isalpha() or district[-1] in _DISTRICT_LETTERS[len(m[1])]


def _fix_outward(outward: str) -> str | None:
    """The outward code with O/I slips in its digit slots corrected, if that makes it valid."""
    if _valid_outward(outward):
        return outward
    for area_len in (2, 1):
        area, district = outward[:area_len], outward[area_len:]
        if area.isalpha() and 1 <= len(district) <= 2:
            candidate = area + district.translate(_DIGIT_SLIPS)
            if _valid_outward(candidate):
                return candidate
    return None


def standardise_postcode(value: str | None) -> str | None:
    """A UK postcode as "CF10 1AA": upper case, one space before the inward code.

    Accepts any case and spacing, and corrects O/I typed for 0/1 in the digit slots.
    The area must be one in use. NHS pseudo-postcodes (ZZ99 ...: no fixed abode,
    address not known) are refused with their own message so callers can tell them apart.
    """
    text = clean_text(value)
    if text is None:
        return None
    compact = "".join(text.split()).upper()
    if compact.startswith("ZZ99"):
        raise StandardiseError(f"pseudo-postcode (no fixed abode or unknown address): {text}")
    if compact in ("GIR0AA", "GIROAA"):
        return "GIR 0AA"
    if 5 <= len(compact) <= 7 and compact.isalnum() and compact.isascii():
        outward = _fix_outward(compact[:-3])
        inward = compact[-3].translate(_DIGIT_SLIPS) + compact[-2:]
        if outward is not None and _INWARD.fullmatch(inward):
            return f"{outward} {inward}"
    raise StandardiseError(f"not a UK postcode: {text}")


def postcode_parts(pc: str) -> dict[str, str]:
    """The nested units of a postcode, for comparing how close two postcodes are:
    area "CF", district "CF10" (the whole outward code), sector "CF10 1", unit "CF10 1AA".
    """
    unit = standardise_postcode(pc)
    if unit is None:
        raise StandardiseError("no postcode given")
    outward, inward = unit.split(" ")
    area = re.match(r"[A-Z]+", outward)
    assert area is not None
    return {
        "area": area[0],
        "district": outward,
        "sector": f"{outward} {inward[0]}",
        "unit": unit,
    }


def extract_postcode(address: str | None) -> str | None:
    """The last valid postcode inside a free-text address, standardised, or None."""
    text = _squash(address)
    if text is None:
        return None
    for match in reversed(list(_POSTCODE_IN_TEXT.finditer(text))):
        try:
            return standardise_postcode(match[0])
        except StandardiseError:
            continue
    return None


# --------------------------------------------------------------------------- addresses

_ADDRESS_WORDS = {
    "RD": "ROAD",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "CL": "CLOSE",
    "CRES": "CRESCENT",
    "DR": "DRIVE",
    "LN": "LANE",
    "PL": "PLACE",
    "SQ": "SQUARE",
    "TCE": "TERRACE",
    "TERR": "TERRACE",
    "CT": "COURT",
    "GDNS": "GARDENS",
    "GRN": "GREEN",
    "PK": "PARK",
    "FLT": "FLAT",
    "HSE": "HOUSE",
    "GRV": "GROVE",
}
_TRAILING_POSTCODE = re.compile(
    r"[\s,.;]*\b([A-Z]{1,2}[0-9OI][A-Z0-9]?\s*[0-9OI][A-Z]{2}|GIR\s*[0O]AA)[\s,.;]*$"
)


def _address_segment(segment: str) -> list[str]:
    """Tokens of one comma-separated part of an address, punctuation removed and street
    words expanded. "/" and "-" survive only next to a digit ("FLAT 1/2", "4-6")."""
    chars = []
    for i, ch in enumerate(segment):
        if ch in "/-":
            before = segment[i - 1] if i > 0 else ""
            after = segment[i + 1] if i + 1 < len(segment) else ""
            keep = before.isalnum() and after.isalnum() and (before.isdigit() or after.isdigit())
            chars.append(ch if keep else " ")
        elif ch.isalnum() and ch.isascii():
            chars.append(ch)
        else:
            chars.append(" ")
    tokens = "".join(chars).split()
    out = []
    for i, tok in enumerate(tokens):
        if tok == "ST":
            # "ST MARYS ROAD", "12 ST JOHNS CLOSE": Saint; "HIGH ST": Street.
            starts_street = i == 0 or any(ch.isdigit() for ch in tokens[i - 1])
            tok = "SAINT" if starts_street and i < len(tokens) - 1 else "STREET"
        out.append(_ADDRESS_WORDS.get(tok, tok))
    return out


def standardise_address(value: str | None) -> str | None:
    """A free-text address as upper-case words with one form for each street word.

    Punctuation goes (except "/" and "-" inside numbers such as "FLAT 1/2" or "4-6"),
    abbreviations are expanded (RD -> ROAD; ST -> SAINT at the start of a part or after
    a house number, STREET elsewhere), and a postcode at the end is removed: compare
    postcodes through their own field (see :func:`extract_postcode`).
    """
    text = clean_text(value)
    if text is None:
        return None
    text = _strip_accents(text.translate(_APOSTROPHES).translate(_DASHES)).upper()
    if (m := _TRAILING_POSTCODE.search(text)) is not None:
        try:
            standardise_postcode(m[1])
        except StandardiseError:
            pass
        else:
            text = text[: m.start()]
    text = text.replace("&", " AND ").replace("'", "")
    tokens = [tok for seg in re.split(r"[,;\n]", text) for tok in _address_segment(seg)]
    return " ".join(tokens) or None


# --------------------------------------------------------------------------- identifiers


def standardise_uprn(value: str | int | None) -> str | None:
    """A UPRN as digits without leading zeros (systems pad it differently)."""
    text = _squash(value)
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,12}", text):
        raise StandardiseError(f"not a UPRN (1 to 12 digits): {text}")
    stripped = text.lstrip("0")
    if not stripped:
        raise StandardiseError(f"not a UPRN (zero): {text}")
    return stripped


_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def standardise_email(value: str | None) -> str | None:
    """An email address in lower case (mail systems ignore case in practice), with any
    "mailto:" or <angle brackets> removed."""
    text = clean_text(value)
    if text is None:
        return None
    email = text
    if (m := re.search(r"<([^<>]*)>", email)) is not None:
        email = m[1]
    email = email.strip().lower().removeprefix("mailto:")
    if not _EMAIL.fullmatch(email):
        raise StandardiseError(f"not an email address: {text}")
    return email


def standardise_phone(value: str | int | None) -> str | None:
    """A UK phone number as its national digits ("02079460000"): spaces and punctuation
    removed, +44 / 0044 (and a "(0)" after it) turned into the leading 0."""
    text = clean_text(value)
    if text is None:
        return None
    digits = re.sub(r"^(\+|00)44\s*\(0\)", r"\g<1>44", text)  # "+44 (0)20 ..."
    digits = re.sub(r"[\s().\-/]", "", digits)
    for prefix in ("+44", "0044"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :].removeprefix("0")
            break
    if not re.fullmatch(r"0[1-9][0-9]{8,9}", digits):
        raise StandardiseError(f"not a UK phone number: {text}")
    return digits


# --------------------------------------------------------------------------- crime types


def _crime_key(text: str) -> str:
    """Case, accents and punctuation removed: "Anti-Social Behaviour" -> "anti social behaviour"."""
    text = _strip_accents(text).lower().replace("&", " and ").translate(_APOSTROPHES)
    text = text.replace("'", "")
    text = re.sub(r"\bs\s*\.?\s*(?=\d)", "s", text)  # "S.5", "s 5" -> "s5"
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_CANONICAL_BY_KEY = {_crime_key(name): name for name in CANONICAL_CRIME_TYPES}


def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, crime_type in CRIME_TYPES.items():
        for word in crime_type.synonyms:
            key = _crime_key(word)
            assert index.get(key, canonical) == canonical, f"{word!r} listed twice"
            index[key] = canonical
    return index


_CRIME_BY_KEY = _synonym_index()

# Offence families named by their first words ("Burglary - residential - attempt"),
# matched on the longest prefix after the exact tables fail (crime_types.yaml).
_CRIME_PREFIXES: dict[str, str] = {
    prefix: name for name, crime_type in CRIME_TYPES.items() for prefix in crime_type.prefixes
}


def _canonical_crime_type(text: str) -> str | None:
    return _CANONICAL_BY_KEY.get(_crime_key(text))


def standardise_crime_type(value: str | None, codes: Mapping[str, str] | None = None) -> str | None:
    """The police.uk category for a source's offence, ASB or concern type.

    Looked up, in turn, in the source's own ``codes`` (keys matched case-insensitively;
    values must be police.uk categories), the police.uk names themselves, a built-in
    table of common wording, and offence families by their first words ("Burglary -
    residential"). Unknown types raise rather than fall into "Other crime".
    """
    text = clean_text(value)
    if text is None:
        return None
    if codes:
        target = codes.get(text)
        if target is None:
            folded = text.casefold()
            target = next(
                (v for k, v in codes.items() if " ".join(k.split()).casefold() == folded), None
            )
        if target is not None:
            canonical = _canonical_crime_type(target)
            if canonical is None:
                raise StandardiseError(
                    f"crime type code {text} maps to {target}, which is not a canonical category"
                )
            return canonical
    key = _crime_key(text)
    if (found := _CANONICAL_BY_KEY.get(key) or _CRIME_BY_KEY.get(key)) is not None:
        return found
    prefixes = [p for p in _CRIME_PREFIXES if key == p or key.startswith(p + " ")]
    if prefixes:
        return _CRIME_PREFIXES[max(prefixes, key=len)]
    raise StandardiseError(f"unknown crime type: {text}")
