"""Families in homes: the people behind the records, with how they are related.

Households are drawn one at a time (people living alone, couples, families with children,
lone parents, three generations, shared houses). Within a family the hard cases for record
linkage occur at the rates vital statistics give them or above: twins and now and then
triplets (one birthday, one surname, one home), siblings a year or two apart, a son named
after his father or a grandson after his grandfather, a daughter after her mother, wives
whose earlier records carry the maiden name and the parents' address, grown children who
moved out, and families that moved house.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from simulate.kinship.names import Names

REFERENCE_DAY = date(2025, 6, 30)

_TOWNS = (
    ("Cardiff", "CF"), ("Swansea", "SA"), ("Newport", "NP"), ("Wrexham", "LL"),
    ("Manchester", "M"), ("Birmingham", "B"), ("Leeds", "LS"), ("Sheffield", "S"),
    ("Liverpool", "L"), ("Bristol", "BS"), ("Newcastle upon Tyne", "NE"), ("Nottingham", "NG"),
    ("Leicester", "LE"), ("Bradford", "BD"), ("Coventry", "CV"), ("Hull", "HU"),
    ("Stoke-on-Trent", "ST"), ("Plymouth", "PL"), ("Derby", "DE"), ("Southampton", "SO"),
    ("Luton", "LU"), ("Preston", "PR"), ("Blackburn", "BB"), ("Oldham", "OL"),
    ("Wolverhampton", "WV"), ("Sunderland", "SR"), ("Middlesbrough", "TS"), ("Norwich", "NR"),
    ("Exeter", "EX"), ("Peterborough", "PE"), ("London", "E"), ("London", "SE"),
)  # fmt: skip
_STREETS = (
    "Albert", "Queens", "Kings", "Manor", "Orchard", "Meadow", "Springfield", "Beech", "Elm",
    "Willow", "Grange", "Hawthorn", "Fairview", "Highfield", "Rose", "Sycamore", "York",
    "Clarence", "Nelson", "Wellington", "Mount Pleasant", "Heol Hir", "Waun", "Coronation",
    "Jubilee", "Cemetery", "Canal", "Market", "Regent", "Belle Vue", "Moorland", "Cedar",
    "Primrose", "Holly", "Lime", "Poplar", "Brook", "Valley", "Hillside", "Woodland",
)  # fmt: skip
_STREET_TYPES = ("Road", "Street", "Avenue", "Close", "Lane", "Drive", "Way", "Crescent",
                 "Grove", "Terrace", "Gardens", "Court")  # fmt: skip
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Address:
    line: str  # "Flat 2, 14 Queens Road" or "14 Queens Road"
    town: str
    postcode: str


@dataclass
class Person:
    uid: str
    forename: str
    middle: str | None
    surname: str
    birth_surname: str
    dob: date
    sex: str
    homes: list[tuple[date, Address]]  # from when, where; the first from birth (or earlier)
    household: int
    married_on: date | None = None  # before it, records carry birth_surname
    relatives: list[Person] = field(default_factory=list, repr=False)

    def home_on(self, day: date) -> Address:
        current = self.homes[0][1]
        for since, address in self.homes:
            if since <= day:
                current = address
        return current

    def surname_on(self, day: date) -> str:
        if self.married_on is not None and day < self.married_on:
            return self.birth_surname
        return self.surname


class Addresses:
    """Addresses in towns, a postcode unit to every dozen or so doors of a street."""

    def __init__(self, rng: random.Random, towns: int = 12):
        self.rng = rng
        self.towns = rng.sample(_TOWNS, min(towns, len(_TOWNS)))
        self._streets: dict[str, list[tuple[str, str]]] = {}
        for town, area in self.towns:
            names = rng.sample([f"{s} {t}" for s in _STREETS for t in _STREET_TYPES], 120)
            self._streets[town] = [(name, f"{area}{rng.randint(1, 28)}") for name in names]

    def new(self, town: str | None = None) -> Address:
        town = town or self.rng.choice(self.towns)[0]
        street, district = self.rng.choice(self._streets[town])
        number = self.rng.randint(1, 180)
        block = number // 14
        unit_rng = random.Random(f"{street}|{district}|{block}")
        postcode = (
            f"{district} {unit_rng.randint(1, 9)}"
            f"{unit_rng.choice(_UNIT_LETTERS)}{unit_rng.choice(_UNIT_LETTERS)}"
        )
        line = f"{number} {street}"
        if self.rng.random() < 0.15:
            line = f"Flat {self.rng.randint(1, 12)}, {line}"
        return Address(line, town, postcode)


class Families:
    """Builds households until the population reaches its size."""

    def __init__(self, rng: random.Random, family_rate: float = 1.0):
        """``family_rate`` scales how often the hard cases occur: twins and triplets,
        children named after a parent or grandparent."""
        self.rng = rng
        self.family_rate = family_rate
        self.names = Names(rng)
        self.addresses = Addresses(rng)
        self._household = 0
        self._uids = itertools.count(1)

    def households(self) -> Iterator[list[Person]]:
        """Households, one after another, without end."""
        while True:
            self._household += 1
            kind = self.rng.choices(
                ("single", "couple", "family", "lone parent", "three generations", "shared"),
                (0.24, 0.18, 0.32, 0.11, 0.08, 0.07),
            )[0]
            members = getattr(self, "_" + kind.replace(" ", "_"))(self.addresses.new())
            for person in members:
                person.relatives = [m for m in members if m is not person]
            yield members

    # -- people ---------------------------------------------------------------------------
    def _born(self, low: int, high: int) -> date:
        """A birthday for someone aged between ``low`` and ``high`` on the reference day."""
        days = self.rng.randint(int(low * 365.25), int(high * 365.25) + 364)
        return REFERENCE_DAY - timedelta(days=days)

    def _person(self, sex: str, surname: str, dob: date, home: Address, *,
                forename: str | None = None, avoid: set[str] = frozenset()) -> Person:  # fmt: skip
        middle = None
        if self.rng.random() < 0.45:
            middle = self.names.forename(sex, dob.year)
        person = Person(
            uid=f"K{next(self._uids):07d}",
            forename=forename or self.names.forename(sex, dob.year, avoid=avoid),
            middle=middle, surname=surname, birth_surname=surname, dob=dob, sex=sex,
            homes=[(dob - timedelta(days=400), home)], household=self._household,
        )  # fmt: skip
        return person

    def _moves(self, people: list[Person], town: str) -> None:
        """Some households moved within the years the records cover; they move together."""
        if self.rng.random() < 0.28:
            since = REFERENCE_DAY - timedelta(days=self.rng.randint(200, 4000))
            new_town = town if self.rng.random() < 0.75 else None
            earlier = self.addresses.new(new_town)
            for person in people:
                first_since = person.homes[0][0]
                person.homes = [(first_since, earlier), (since, person.homes[-1][1])]

    def _adult(self, sex: str, home: Address, low: int = 18, high: int = 90) -> Person:
        return self._person(sex, self.names.surname(), self._born(low, high), home)

    def _marry(self, husband: Person, wife: Person) -> None:
        """She takes his surname (most do); her earlier records: maiden name, parents' home."""
        if self.rng.random() < 0.78:
            wife.birth_surname = wife.surname
            wife.surname = husband.surname
            youngest = max(wife.dob.year + 19, 1990)
            year = min(youngest + self.rng.randint(0, 12), 2024)
            married = date(year, self.rng.randint(1, 12), 1)
            wife.married_on = married
            parents_home = self.addresses.new(home_town(wife))
            wife.homes = [(wife.dob, parents_home), (married, wife.homes[-1][1])]
        elif self.rng.random() < 0.2:
            wife.surname = f"{wife.surname}-{husband.surname}"

    def _couple(self, home: Address) -> list[Person]:
        man = self._adult("M", home, 20, 88)
        her_age = max(18, min(92, age(man) + self.rng.randint(-7, 4)))
        woman = self._person("F", self.names.surname(), self._born(her_age, her_age), home)
        self._marry(man, woman)
        self._moves([man, woman], home.town)
        return [man, woman]

    def _single(self, home: Address) -> list[Person]:
        person = self._adult(self.rng.choice("MF"), home)
        self._moves([person], home.town)
        return [person]

    def _shared(self, home: Address) -> list[Person]:
        return [self._adult(self.rng.choice("MF"), home, 18, 35)
                for _ in range(self.rng.randint(2, 4))]  # fmt: skip

    def _children(self, mother_dob: date, surname: str, home: Address,
                  father: Person | None, mother: Person | None) -> list[Person]:  # fmt: skip
        """1-4 births (twins 3%, triplets 0.1% of births), a year or more apart."""
        children: list[Person] = []
        born = date(mother_dob.year + self.rng.randint(19, 32), self.rng.randint(1, 12),
                    self.rng.randint(1, 28))  # fmt: skip
        births = min(4, 1 + int(self.rng.expovariate(1.1)))
        taken: set[str] = set()
        for _ in range(births):
            if born > REFERENCE_DAY:
                break
            roll = self.rng.random()
            f = self.family_rate
            size = 3 if roll < 0.001 * f else 2 if roll < 0.031 * f else 1
            first_letter = None
            for _ in range(size):
                sex = self.rng.choice("MF")
                forename = None
                first_son = father is not None and sex == "M" and not children
                if first_son and self.rng.random() < 0.08 * f:
                    forename = father.forename  # named after his father
                elif mother is not None and sex == "F" and self.rng.random() < 0.03 * f:
                    forename = mother.forename
                elif size > 1 and first_letter and self.rng.random() < 0.3:
                    forename = self._matching(sex, born.year, first_letter, taken)
                child = self._person(sex, surname, born, home, forename=forename, avoid=taken)
                if forename and father is not None and forename == father.forename:
                    child.middle = father.middle
                taken.add(child.forename)
                first_letter = first_letter or child.forename[0]
                children.append(child)
            born += timedelta(days=self.rng.randint(330, 1600))
        for child in children:  # grown children who moved out
            if age(child) >= 19 and self.rng.random() < 0.55:
                since = date(child.dob.year + self.rng.randint(18, 24), self.rng.randint(1, 12), 1)
                if since < REFERENCE_DAY:
                    child.homes.append((since, self.addresses.new(
                        home.town if self.rng.random() < 0.7 else None)))  # fmt: skip
        return children

    def _matching(self, sex: str, year: int, letter: str, taken: set[str]) -> str | None:
        """Twins' names that start alike (Jack and Jake, Ella and Evie)."""
        for _ in range(40):
            name = self.names.forename(sex, year, avoid=taken)
            if name[0] == letter:
                return name
        return None

    def _family(self, home: Address) -> list[Person]:
        parents = self._couple(home)
        man, woman = parents
        surname = man.surname
        roll = self.rng.random()
        if roll < 0.05:
            surname = f"{woman.birth_surname}-{man.surname}"
        elif roll < 0.1:
            surname = woman.surname
        kids = self._children(woman.dob, surname, home, man, woman)
        self._follow(kids, woman)
        return parents + kids

    def _lone_parent(self, home: Address) -> list[Person]:
        parent = self._adult("F" if self.rng.random() < 0.85 else "M", home, 19, 60)
        own = self.rng.random() < 0.6
        surname = parent.surname if own else self.names.surname()
        mother_dob = parent.dob if parent.sex == "F" else parent.dob + timedelta(days=900)
        kids = self._children(mother_dob, surname, home, parent if parent.sex == "M" else None,
                              parent if parent.sex == "F" else None)  # fmt: skip
        self._moves([parent], home.town)
        self._follow(kids, parent)
        return [parent, *kids]

    def _three_generations(self, home: Address) -> list[Person]:
        family = self._family(home)
        man = family[0]
        born = man.dob - timedelta(days=self.rng.randint(7300, 13000))
        grandad = self._person("M", man.surname, born, home)
        if self.rng.random() < 0.3 * self.family_rate:
            for kid in family[2:]:
                if kid.sex == "M" and self.rng.random() < 0.3:
                    kid.forename = grandad.forename  # a grandson named after his grandfather
                    break
            else:
                man.forename = grandad.forename
        grandad.homes = [(grandad.dob, home)]
        members = [*family, grandad]
        if self.rng.random() < 0.5:
            born = grandad.dob + timedelta(days=self.rng.randint(-900, 1800))
            nan = self._person("F", man.surname, born, home)
            nan.birth_surname = self.names.surname()
            members.append(nan)
        return members

    def _follow(self, children: list[Person], parent: Person) -> None:
        """Children at home lived where the parent lived."""
        for child in children:
            moved_out = child.homes[1:]
            child.homes = [*parent.homes, *moved_out]


def age(person: Person) -> int:
    return (REFERENCE_DAY - person.dob).days // 365


def home_town(person: Person) -> str:
    return person.homes[-1][1].town
