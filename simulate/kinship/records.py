"""Three agencies' records of the families, each written its own way with its own slips.

- police: upper-case names, dd/mm/yyyy, M/F/U, postcode in its own field;
- council (housing and anti-social behaviour): Title Case, ISO dates or a bare year of birth
  worked out from a stated age, forename and middle names in one field, abbreviated streets,
  postcodes without the space, maiden names held on after marriage;
- social care: children and their carers, whole families at once; preferred names, worded
  dates ("3 Apr 2012") or dd.mm.yyyy, a child filed under the mother's surname or with her
  date of birth, the address with the postcode on the end.

Errors unlike the main simulator's: names spelt as heard (Steven for Stephen), OCR
confusions (rn for m, 0 for O), names cut at a field's length, placeholder 1 January
dates, dates entered month first, and a relative's value on the wrong person's record.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from simulate.kinship.names import FAMILIAR, SOUNDS_LIKE
from simulate.kinship.people import REFERENCE_DAY, Families, Person

COLUMNS = ("source_system", "source_record_id", "forename", "surname", "date_of_birth", "sex",
           "address", "postcode")  # fmt: skip
FIRST_RECORD_DAY = date(2013, 1, 1)
_OCR = (("m", "rn"), ("O", "0"), ("l", "1"), ("I", "1"), ("S", "5"), ("cl", "d"), ("e", "c"))
_ABBREVIATED = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Close": "Cl", "Lane": "Ln",
                "Drive": "Dr", "Crescent": "Cres", "Terrace": "Terr", "Gardens": "Gdns",
                "Court": "Ct", "Grove": "Gr"}  # fmt: skip
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Slips:
    """How often an agency's records carry each kind of error."""

    familiar: float  # a familiar or preferred name for the registered one
    sounds_like: float
    typo: float  # a keying or OCR slip in a name
    initial_only: float
    dob_missing: float
    dob_typo: float
    dob_month_first: float
    dob_placeholder: float  # 1 January of the right year
    dob_from_age: float  # only a year, from the age stated on the day
    relative_value: float  # a household member's surname or date of birth on this record
    maiden_name: float  # a married woman under her birth surname after marriage
    old_address: float
    address_missing: float
    postcode_missing: float
    postcode_typo: float
    sex_missing: float


SLIPS = {
    "police": Slips(0.05, 0.03, 0.02, 0.01, 0.04, 0.015, 0.01, 0.01, 0.0, 0.006, 0.02, 0.08,
                    0.04, 0.08, 0.02, 0.03),
    "council": Slips(0.03, 0.03, 0.025, 0.02, 0.1, 0.01, 0.02, 0.02, 0.05, 0.006, 0.15, 0.1,
                     0.02, 0.03, 0.02, 0.0),
    "social_care": Slips(0.1, 0.02, 0.015, 0.0, 0.03, 0.01, 0.005, 0.005, 0.0, 0.015, 0.05,
                         0.06, 0.03, 0.05, 0.01, 0.05),
}  # fmt: skip


class Agencies:
    """Decides who each agency holds records of, and writes those records."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._ids = {"police": 0, "council": 0, "social_care": 0}

    def household_records(self, members: list[Person]) -> list[tuple[tuple, str]]:
        """(contract row, true person uid) for every record any agency holds of a household."""
        out: list[tuple[tuple, str]] = []
        known_to_police = self.rng.random() < 0.35  # offending runs in families
        for person in members:
            p = _police_rate(person) * (2.0 if known_to_police else 0.7)
            for _ in range(self._count(p, 0.5)):
                out.append(self._record("police", person))
        if self.rng.random() < 0.45:
            adults = [m for m in members if _age(m, REFERENCE_DAY) >= 18] or members
            for person in self.rng.sample(adults, min(len(adults), self.rng.randint(1, 3))):
                for _ in range(self._count(1.0, 0.4)):
                    out.append(self._record("council", person))
        children = [m for m in members if _age(m, REFERENCE_DAY) < 20]
        if children and self.rng.random() < 0.45:
            adults = [m for m in members if m not in children]
            for person in children + adults[: self.rng.randint(1, 2)]:
                for _ in range(self._count(0.9, 0.45)):
                    out.append(self._record("social_care", person, child_years=True))
        return out

    def _count(self, chance: float, more: float) -> int:
        if self.rng.random() >= chance:
            return 0
        count = 1
        while count < 6 and self.rng.random() < more:
            count += 1
        return count

    def _record(self, agency: str, person: Person, child_years: bool = False) -> tuple[tuple, str]:
        rng, slips = self.rng, SLIPS[agency]
        start = max(FIRST_RECORD_DAY, person.dob + timedelta(days=30))
        end = REFERENCE_DAY
        if child_years:
            end = min(end, person.dob + timedelta(days=18 * 365))
            if end <= start:
                start, end = max(FIRST_RECORD_DAY, REFERENCE_DAY - timedelta(days=3000)), end
        if end <= start:
            end = start + timedelta(days=1)
        day = start + timedelta(days=rng.randrange(max(1, (end - start).days)))
        self._ids[agency] += 1
        record_id = _record_id(agency, self._ids[agency], day, rng)

        forename = self._forename(person, slips, agency)
        surname = person.surname_on(day)
        if person.married_on and day >= person.married_on and rng.random() < slips.maiden_name:
            surname = person.birth_surname
        relative = rng.choice(person.relatives) if person.relatives else None
        if relative is not None and rng.random() < slips.relative_value:
            surname = relative.surname_on(day)
        surname = self._name_slips(surname, slips)
        if agency == "police" and len(surname) > 14:
            surname = surname[:14]  # the field's length

        dob_text = self._dob(person, relative, day, slips, agency)
        home = person.home_on(day)
        if rng.random() < slips.old_address and len(person.homes) > 1:
            home = person.homes[0][1]
        line = home.line
        postcode = home.postcode
        if rng.random() < slips.postcode_typo:
            postcode = _postcode_slip(postcode, rng)
        if rng.random() < slips.postcode_missing:
            postcode = ""
        sex = "" if rng.random() < slips.sex_missing else person.sex
        if rng.random() < slips.address_missing:
            line = ""
        if agency == "police":
            row = (forename.upper(), surname.upper(), dob_text, sex or "U",
                   f"{line}, {home.town}".upper() if line else "", postcode)  # fmt: skip
        elif agency == "council":
            for full, short in _ABBREVIATED.items():
                line = line.replace(f" {full}", f" {short}") if rng.random() < 0.4 else line
            if rng.random() < 0.5:
                postcode = postcode.replace(" ", "").lower()
            sex_text = {"M": "Male", "F": "Female"}.get(sex, "")
            row = (forename, surname, dob_text, sex_text, line, postcode)
        else:
            address = ", ".join(x for x in (line, home.town, postcode) if x) if line else ""
            row = (forename, surname, dob_text, {"M": "Male", "F": "Female"}.get(sex, "Unknown"),
                   address, "")  # fmt: skip
        return (agency, record_id, *row), person.uid

    def _forename(self, person: Person, slips: Slips, agency: str) -> str:
        rng = self.rng
        name = person.forename
        if rng.random() < slips.familiar and name.upper() in FAMILIAR:
            name = rng.choice(FAMILIAR[name.upper()])
        name = self._name_slips(name, slips)
        if rng.random() < slips.initial_only:
            name = name[0]
        if agency == "council" and person.middle and rng.random() < 0.5:
            name = f"{name} {person.middle}"
        return name

    def _name_slips(self, name: str, slips: Slips) -> str:
        rng = self.rng
        if rng.random() < slips.sounds_like and name.upper() in SOUNDS_LIKE:
            name = SOUNDS_LIKE[name.upper()].title()
        if rng.random() < slips.typo and len(name) > 2:
            name = _ocr_or_key(name, rng)
        return name

    def _dob(self, person: Person, relative: Person | None, day: date, slips: Slips,
             agency: str) -> str:  # fmt: skip
        rng = self.rng
        dob = person.dob
        if relative is not None and rng.random() < slips.relative_value:
            dob = relative.dob  # a parent's date of birth on the child's record, or the reverse
        if rng.random() < slips.dob_missing:
            return ""
        if rng.random() < slips.dob_from_age:
            return str(day.year - _age(person, day))
        if rng.random() < slips.dob_placeholder:
            dob = date(dob.year, 1, 1)
        text_day, text_month, year = dob.day, dob.month, dob.year
        if rng.random() < slips.dob_month_first and dob.day <= 12:
            text_day, text_month = dob.month, dob.day
        digits = f"{text_day:02d}{text_month:02d}{year:04d}"
        if rng.random() < slips.dob_typo:
            i = rng.randrange(8)
            digits = digits[:i] + str(rng.randrange(10)) + digits[i + 1 :]
        text_day, text_month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
        if not (1 <= text_month <= 12 and 1 <= text_day <= 28):
            text_day, text_month = min(max(text_day, 1), 28), min(max(text_month, 1), 12)
        if agency == "police":
            return f"{text_day:02d}/{text_month:02d}/{year}"
        if agency == "council":
            return f"{year}-{text_month:02d}-{text_day:02d}"
        if rng.random() < 0.5:
            return f"{text_day} {_MONTHS[text_month - 1]} {year}"
        return f"{text_day:02d}.{text_month:02d}.{year}"


def _police_rate(person: Person) -> float:
    age = _age(person, REFERENCE_DAY)
    if 14 <= age <= 45:
        return 0.35 if person.sex == "M" else 0.15
    return 0.07


def _age(person: Person, day: date) -> int:
    years = day.year - person.dob.year
    return years - ((day.month, day.day) < (person.dob.month, person.dob.day))


def _record_id(agency: str, n: int, day: date, rng: random.Random) -> str:
    if agency == "police":
        return f"WP{rng.randint(10, 99)}{n:07d}"
    if agency == "council":
        return f"C-{n}"
    return f"SC/{day.year}/{n:06d}"


def _ocr_or_key(name: str, rng: random.Random) -> str:
    """An OCR confusion where the name has one, else a dropped or doubled letter."""
    options = [(a, b) for a, b in _OCR if a in name]
    if options and rng.random() < 0.5:
        a, b = rng.choice(options)
        return name.replace(a, b, 1)
    i = rng.randrange(1, len(name))
    return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i - 1] + name[i:]


def _postcode_slip(postcode: str, rng: random.Random) -> str:
    """One character of the inward code wrong (a mis-key), or two transposed."""
    inward = postcode[-3:]
    if rng.random() < 0.5:
        inward = inward[0] + inward[2] + inward[1]
    else:
        inward = str(rng.randrange(10)) + inward[1:]
    return postcode[:-3] + inward


def write(
    directory: Path, *, people: int = 5_000, seed: int = 1, family_rate: float = 1.0
) -> tuple[int, int]:
    """Write ``input.csv`` and ``truth.csv`` about (at least) ``people`` people with a record
    in some agency; returns (records, people with records). ``family_rate`` scales how
    often twins and children named after a parent occur (see people.Families)."""
    rng = random.Random(seed)
    agencies = Agencies(rng)
    rows: list[tuple[tuple, str]] = []
    recorded: set[str] = set()
    for members in Families(rng, family_rate).households():
        held = agencies.household_records(members)
        rows.extend(held)
        recorded.update(uid for _row, uid in held)
        if len(recorded) >= people:
            break
    rng.shuffle(rows)  # no order that gives the families away
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "input.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(row for row, _uid in rows)
    with (directory / "truth.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("source_system", "source_record_id", "cluster_id"))
        writer.writerows((row[0], row[1], uid) for row, uid in rows)
    return len(rows), len({uid for _row, uid in rows})
