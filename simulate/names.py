"""Name pools for a Welsh population, and the name variants real records show."""

from __future__ import annotations

import random

from faker.providers.person.en_GB import Provider as _FakerNames
from nicknames import NickNamer

from resolver.name_frequencies import (
    WELSH_FORENAMES_FEMALE,
    WELSH_FORENAMES_MALE,
    WELSH_SURNAMES,
)


class NamePool:
    """Seeded draws of forenames and surnames with a realistic Welsh frequency profile."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        surnames = dict(WELSH_SURNAMES)
        for name, weight in _FakerNames.last_names.items():
            surnames.setdefault(name, weight * 0.6)
        self.surnames = list(surnames)
        self.surname_weights = list(surnames.values())
        self.male = list(_FakerNames.first_names_male) + list(WELSH_FORENAMES_MALE) * 2
        self.female = list(_FakerNames.first_names_female) + list(WELSH_FORENAMES_FEMALE) * 2
        self._nicknames = NickNamer()

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.surname_weights)[0]

    def forename(self, sex: str) -> str:
        return self.rng.choice(self.male if sex == "M" else self.female)

    def nickname(self, forename: str) -> str | None:
        """A familiar form (Robert → Bob), if the name has one."""
        options = sorted(self._nicknames.nicknames_of(forename.lower()))
        options = [o for o in options if len(o) > 2]
        return self.rng.choice(options).title() if options else None
