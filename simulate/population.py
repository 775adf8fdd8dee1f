"""Households and people at real postcodes: the ground truth the extracts are drawn from."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from simulate.geo import PostcodeTable
from simulate.names import NamePool

STREET_STEMS = (
    "Church",
    "Station",
    "Park",
    "Victoria",
    "Mill",
    "High",
    "Chapel",
    "School",
    "Bridge",
    "Castle",
    "Alexandra",
    "Richmond",
    "Oak",
    "Ash",
    "Heol y Felin",
    "Heol Las",
    "Ffordd",
    "Llys",
    "Maes",
    "Bryn",
    "Pant",
    "Cwm",
    "Glan",
    "Tŷ Gwyn",
    "Dan y Graig",
    "Penybryn",
    "Windsor",
    "Queen",
    "King",
    "Albert",
    "Marine",
    "Mount Pleasant",
    "Hill",
    "Brook",
)
STREET_TYPES = (
    "Road",
    "Street",
    "Avenue",
    "Close",
    "Crescent",
    "Drive",
    "Lane",
    "Place",
    "Terrace",
    "Court",
    "Gardens",
    "Way",
    "View",
    "Green",
)
POST_TOWNS = {
    "CF": ("Cardiff", "Barry", "Penarth", "Pontypridd", "Caerphilly", "Bridgend", "Merthyr Tydfil"),
    "NP": ("Newport", "Cwmbran", "Pontypool", "Abergavenny", "Ebbw Vale", "Monmouth"),
    "SA": ("Swansea", "Neath", "Port Talbot", "Llanelli", "Carmarthen", "Haverfordwest"),
    "LL": ("Wrexham", "Bangor", "Rhyl", "Llandudno", "Caernarfon", "Holyhead", "Mold"),
    "SY": ("Aberystwyth", "Newtown", "Welshpool", "Shrewsbury", "Oswestry"),
    "LD": ("Llandrindod Wells", "Builth Wells", "Brecon"),
    "CH": ("Chester", "Deeside", "Flint", "Holywell"),
    "HR": ("Hereford", "Leominster"),
    "GL": ("Gloucester", "Lydney", "Coleford"),
}
REFERENCE_DAY = date(2025, 12, 31)
# Share of households just over the border in England (cross-border lives and offending).
BORDER_SHARE = 0.05


@dataclass
class Address:
    address_uid: str
    uprn: str
    line: str  # "12 Church Road"
    town: str
    postcode: str
    latitude: float
    longitude: float
    lsoa: str | None
    h3_cell: str
    authority: str

    @property
    def full(self) -> str:
        return f"{self.line}, {self.town}"


@dataclass
class Person:
    person_uid: str
    forename: str
    middle_names: str | None
    surname: str
    sex: str
    date_of_birth: date
    address: Address
    previous_address: Address | None = None
    birth_surname: str | None = None  # set when the surname changed (e.g. on marriage)
    email: str | None = None
    phone: str | None = None
    household: str = ""
    twin_of: str | None = None
    parent_of: list[str] = field(default_factory=list)

    def age_on(self, day: date) -> int:
        years = day.year - self.date_of_birth.year
        return years - ((day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day))


class PopulationBuilder:
    """Builds households one at a time until the population reaches its size."""

    def __init__(self, rng: random.Random, postcodes: PostcodeTable):
        self.rng = rng
        self.postcodes = postcodes
        self.names = NamePool(rng)
        self.people: list[Person] = []
        self.addresses: list[Address] = []
        self._streets: dict[str, list[str]] = {}
        welsh = [i for i, a in enumerate(postcodes.authority) if a.startswith("W")]
        self._welsh = welsh
        self._border = [i for i, a in enumerate(postcodes.authority) if not a.startswith("W")]

    # -- addresses ---------------------------------------------------------------
    def new_address(self, index: int | None = None) -> Address:
        pc = self.postcodes
        if index is not None:
            i = index
        elif self.rng.random() < BORDER_SHARE:
            i = self._border[self.rng.randrange(len(self._border))]
        else:
            i = self._welsh[self.rng.randrange(len(self._welsh))]
        postcode = str(pc.postcode[i])
        streets = self._streets.setdefault(postcode, self._streets_for())
        number = self.rng.randint(1, 180)
        flat = f"Flat {self.rng.randint(1, 12)}, " if self.rng.random() < 0.12 else ""
        area = "".join(ch for ch in postcode[:2] if ch.isalpha())
        towns = POST_TOWNS.get(area, ("Cardiff",))
        town = towns[zlib.crc32(postcode.split()[0].encode()) % len(towns)]
        uid = f"A{len(self.addresses) + 1:07d}"
        address = Address(
            address_uid=uid,
            uprn=str(10_000_000_000 + self.rng.randrange(89_999_999_999)),
            line=f"{flat}{number} {self.rng.choice(streets)}",
            town=town,
            postcode=postcode,
            latitude=float(pc.latitude[i]),
            longitude=float(pc.longitude[i]),
            lsoa=pc.lsoa[i],
            h3_cell=str(pc.h3_cell[i]),
            authority=str(pc.authority[i]),
        )
        self.addresses.append(address)
        return address

    def _streets_for(self) -> list[str]:
        return [
            f"{self.rng.choice(STREET_STEMS)} {self.rng.choice(STREET_TYPES)}"
            for _ in range(self.rng.randint(1, 3))
        ]

    # -- people ------------------------------------------------------------------
    def _birth_date(self, min_age: int, max_age: int) -> date:
        age_days = self.rng.randint(min_age * 365 + 1, max_age * 365 + 364)
        return REFERENCE_DAY - timedelta(days=age_days)

    def _contact(self, forename: str, surname: str, dob: date) -> tuple[str | None, str | None]:
        email = phone = None
        if (REFERENCE_DAY - dob).days < 14 * 365:
            return None, None
        if self.rng.random() < 0.55:
            domain = self.rng.choice(("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk"))
            email = f"{forename}.{surname}{self.rng.randint(1, 99)}@{domain}".lower()
            email = email.replace(" ", "").replace("'", "")
        if self.rng.random() < 0.7:
            phone = f"07{self.rng.randint(100, 999)} {self.rng.randint(100000, 999999)}"
        return email, phone

    def new_person(
        self,
        sex: str,
        surname: str,
        dob: date,
        address: Address,
        household: str,
        forename: str | None = None,
    ) -> Person:
        forename = forename or self.names.forename(sex)
        middle = self.names.forename(sex) if self.rng.random() < 0.45 else None
        email, phone = self._contact(forename, surname, dob)
        person = Person(
            person_uid=f"P{len(self.people) + 1:07d}",
            forename=forename,
            middle_names=middle,
            surname=surname,
            sex=sex,
            date_of_birth=dob,
            address=address,
            email=email,
            phone=phone,
            household=household,
        )
        self.people.append(person)
        return person

    def household(self) -> list[Person]:
        """One household: single adult, couple, family, or shared house."""
        rng = self.rng
        address = self.new_address()
        hh = address.address_uid
        kind = rng.choices(
            ("single", "couple", "family", "lone parent", "shared"), (0.30, 0.25, 0.25, 0.10, 0.10)
        )[0]
        members: list[Person] = []
        if kind == "shared":
            for _ in range(rng.randint(2, 4)):
                sex = rng.choice("MF")
                members.append(
                    self.new_person(
                        sex, self.names.surname(), self._birth_date(18, 35), address, hh
                    )
                )
            return members
        family_surname = self.names.surname()
        if rng.random() < 0.04:  # double-barrelled family name
            family_surname = f"{family_surname}-{self.names.surname()}"
        first_sex = rng.choice("MF")
        adult = self.new_person(first_sex, family_surname, self._birth_date(18, 85), address, hh)
        members.append(adult)
        parents = [adult]
        if kind in ("couple", "family"):
            partner_sex = "F" if first_sex == "M" else "M"
            if rng.random() < 0.05:
                partner_sex = first_sex
            age = adult.age_on(REFERENCE_DAY) + rng.randint(-5, 5)
            age = min(max(age, 18), 90)
            partner = self.new_person(
                partner_sex, family_surname, self._birth_date(age, age), address, hh
            )
            if partner_sex == "F" and rng.random() < 0.8:
                partner.birth_surname = self.names.surname()  # took the family name on marriage
            members.append(partner)
            parents.append(partner)
        if kind in ("family", "lone parent"):
            youngest_parent_age = min(p.age_on(REFERENCE_DAY) for p in parents)
            max_child_age = max(0, min(25, youngest_parent_age - 17))
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 4))):
                sex = rng.choice("MF")
                dob = self._birth_date(0, max_child_age)
                same_name = sex == adult.sex and rng.random() < 0.04  # "junior"
                child = self.new_person(
                    sex,
                    family_surname,
                    dob,
                    address,
                    hh,
                    forename=adult.forename if same_name else None,
                )
                members.append(child)
                for parent in parents:
                    parent.parent_of.append(child.person_uid)
                if rng.random() < 0.015:  # twins: same birthday, surname and address
                    twin_sex = rng.choice("MF")
                    twin = self.new_person(twin_sex, family_surname, dob, address, hh)
                    twin.twin_of, child.twin_of = child.person_uid, twin.person_uid
                    members.append(twin)
        return members

    def build(self, size: int) -> list[Person]:
        while len(self.people) < size:
            self.household()
        del self.people[size:]
        # Some people moved during the period: their earlier records show the old address.
        for person in self.people:
            if self.rng.random() < 0.12:
                person.previous_address = self.new_address()
        return self.people
