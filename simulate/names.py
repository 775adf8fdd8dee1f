"""Name pools for a Welsh population, and the name variants real records show."""

from __future__ import annotations

import random

from faker.providers.person.en_GB import Provider as _FakerNames
from nicknames import NickNamer

# Wales' most common surnames, roughly by frequency (ONS surname studies): the top few
# cover a large share of the population, which is what makes Welsh linkage hard.
WELSH_SURNAMES: dict[str, float] = {
    "Jones": 5.75,
    "Williams": 3.86,
    "Davies": 3.64,
    "Evans": 2.12,
    "Thomas": 1.96,
    "Roberts": 1.54,
    "Hughes": 1.04,
    "Lewis": 1.02,
    "Morgan": 0.88,
    "Griffiths": 0.82,
    "Edwards": 0.79,
    "Owen": 0.75,
    "Rees": 0.70,
    "Jenkins": 0.66,
    "Price": 0.65,
    "Phillips": 0.62,
    "James": 0.60,
    "Morris": 0.57,
    "Lloyd": 0.50,
    "Powell": 0.45,
    "Parry": 0.42,
    "Pritchard": 0.30,
    "Richards": 0.38,
    "Harries": 0.20,
    "Watkins": 0.30,
    "Bowen": 0.25,
    "Howells": 0.22,
    "Pugh": 0.20,
    "Vaughan": 0.18,
    "Prosser": 0.12,
    "Llewellyn": 0.15,
    "Gwynne": 0.05,
    "Meredith": 0.10,
    "Bevan": 0.16,
    "Probert": 0.08,
}
WELSH_FORENAMES_MALE = (
    "Rhys",
    "Dylan",
    "Gareth",
    "Sion",
    "Iwan",
    "Owain",
    "Dafydd",
    "Gethin",
    "Emyr",
    "Huw",
    "Aled",
    "Ieuan",
    "Rhodri",
    "Geraint",
    "Osian",
    "Cai",
    "Llyr",
    "Tomos",
    "Elis",
    "Gruffydd",
)
WELSH_FORENAMES_FEMALE = (
    "Cerys",
    "Seren",
    "Ffion",
    "Megan",
    "Carys",
    "Eleri",
    "Nia",
    "Sian",
    "Bethan",
    "Catrin",
    "Rhian",
    "Angharad",
    "Lowri",
    "Mali",
    "Non",
    "Elin",
    "Heledd",
    "Gwen",
    "Manon",
    "Awen",
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
