"""How each system holds a person: its own ids, its own copy of their details, its errors."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from simulate import errors
from simulate.errors import ErrorProfile
from simulate.names import NamePool
from simulate.population import Address, Person


@dataclass
class HeldPerson:
    """One system's record of a person (a nominal, a client, a party)."""

    record_id: str
    person_uid: str
    forename: str
    middle_names: str | None
    surname: str
    sex: str | None
    date_of_birth: date | None
    address: Address
    address_line: str
    postcode: str | None
    uprn: str | None


class PersonRegistry:
    """A system's person index: mostly one id per person, sometimes a duplicate."""

    def __init__(self, prefix: str, profile: ErrorProfile, rng: random.Random, names: NamePool):
        self.prefix = prefix
        self.profile = profile
        self.rng = rng
        self.names = names
        self.records: dict[str, list[HeldPerson]] = {}
        self._next = 1

    def held(self, person: Person, when: date) -> HeldPerson:
        existing = self.records.get(person.person_uid)
        if existing and self.rng.random() >= self.profile.duplicate_person:
            return self.rng.choice(existing)
        record = self._new_record(person, when)
        self.records.setdefault(person.person_uid, []).append(record)
        return record

    def _new_record(self, person: Person, when: date) -> HeldPerson:
        rng, profile = self.rng, self.profile
        record_id = f"{self.prefix}{self._next:07d}"
        self._next += 1
        forename, surname = person.forename, person.surname
        middle = person.middle_names if rng.random() >= profile.drop_middle else None
        if person.birth_surname and rng.random() < profile.maiden_name:
            surname = person.birth_surname
        if rng.random() < profile.double_barrel_variant:
            surname = errors.double_barrel_variant(surname, rng)
        if rng.random() < profile.nickname:
            forename = self.names.nickname(forename) or forename
        if rng.random() < profile.typo:
            forename = errors.typo(forename, rng)
        if rng.random() < profile.typo:
            surname = errors.typo(surname, rng)
        if rng.random() < profile.swap_names:
            forename, surname = surname, forename
        dob: date | None = person.date_of_birth
        if rng.random() < profile.dob_day_month_swap:
            dob = errors.swap_day_month(dob)
        if rng.random() < profile.dob_typo:
            dob = errors.dob_typo(dob, rng)
        if rng.random() < profile.dob_missing:
            dob = None
        sex = None if rng.random() < profile.sex_missing else person.sex
        address = person.address
        if person.previous_address and rng.random() < profile.old_address:
            address = person.previous_address
        line = address.line
        if rng.random() < profile.address_abbreviated:
            line = errors.abbreviate_address(line)
        postcode: str | None = address.postcode
        if rng.random() < profile.postcode_typo:
            postcode = errors.postcode_typo(postcode, rng)
        if rng.random() < profile.postcode_format:
            postcode = errors.postcode_format(postcode, rng)
        if rng.random() < profile.postcode_missing:
            postcode = None
        uprn = address.uprn if rng.random() < profile.uprn_present else None
        return HeldPerson(
            record_id,
            person.person_uid,
            forename,
            middle,
            surname,
            sex,
            dob,
            address,
            line,
            postcode,
            uprn,
        )
