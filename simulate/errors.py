"""The errors real records carry, at rates a system's profile sets.

Each function takes a clean value and a seeded ``random.Random`` and returns the value
as a tired clerk, a form or an old system would have stored it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

_KEYBOARD = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}
_ADDRESS_ABBREVIATIONS = {
    "Road": "Rd",
    "Street": "St",
    "Avenue": "Ave",
    "Close": "Cl",
    "Crescent": "Cres",
    "Drive": "Dr",
    "Lane": "Ln",
    "Place": "Pl",
    "Terrace": "Terr",
    "Court": "Ct",
    "Gardens": "Gdns",
}


# Entry systems refuse birth dates after the extract date; errors stay behind it.
LATEST_PLAUSIBLE = date(2025, 12, 31)


@dataclass(frozen=True)
class ErrorProfile:
    """Per-record probabilities of each kind of error in one system."""

    typo: float = 0.03
    nickname: float = 0.04
    swap_names: float = 0.01
    drop_middle: float = 0.3
    maiden_name: float = 0.3  # if the person changed surname, chance this system has the old one
    double_barrel_variant: float = 0.5
    dob_missing: float = 0.02
    dob_day_month_swap: float = 0.02
    dob_typo: float = 0.01
    sex_missing: float = 0.02
    old_address: float = 0.5  # if the person moved, chance this system has the old address
    address_abbreviated: float = 0.3
    postcode_missing: float = 0.03
    postcode_format: float = 0.3
    postcode_typo: float = 0.01
    uprn_present: float = 0.0
    duplicate_person: float = 0.03  # chance a person gets a second id in this system


def typo(value: str, rng: random.Random) -> str:
    """One keyboard slip: a neighbouring key, a dropped, doubled or transposed letter."""
    if len(value) < 3:
        return value
    i = rng.randrange(1, len(value))
    kind = rng.random()
    ch = value[i]
    if kind < 0.35 and ch.lower() in _KEYBOARD:
        new = rng.choice(_KEYBOARD[ch.lower()])
        return value[:i] + (new.upper() if ch.isupper() else new) + value[i + 1 :]
    if kind < 0.6:
        return value[:i] + value[i + 1 :]
    if kind < 0.8:
        return value[:i] + ch + value[i:]
    if i < len(value) - 1:
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    return value


def double_barrel_variant(surname: str, rng: random.Random) -> str:
    """Smith-Jones as one system has it: Smith, Jones or Smith Jones."""
    if "-" not in surname:
        return surname
    first, second = surname.split("-", 1)
    return rng.choice((first, second, f"{first} {second}", surname))


def swap_day_month(day: date) -> date:
    if day.day <= 12 and day.day != day.month:
        return date(day.year, day.day, day.month)
    return day


def dob_typo(day: date, rng: random.Random) -> date:
    """A slipped digit in the day or the year."""
    if rng.random() < 0.5:
        new_day = min(28, max(1, day.day + rng.choice((-10, -1, 1, 10))))
        return date(day.year, day.month, new_day)
    shift = rng.choice((-10, -1, 1, 10))
    slipped = date(day.year + shift, day.month, min(day.day, 28))
    # A slip that lands in the future would be caught at entry: slip the other way.
    return (
        slipped
        if slipped <= LATEST_PLAUSIBLE
        else date(day.year - abs(shift), day.month, min(day.day, 28))
    )


def abbreviate_address(line: str) -> str:
    words = line.split()
    return " ".join(_ADDRESS_ABBREVIATIONS.get(w, w) for w in words)


def postcode_format(postcode: str, rng: random.Random) -> str:
    """How a postcode gets typed: no space, lower case, extra spaces."""
    choice = rng.random()
    if choice < 0.4:
        return postcode.replace(" ", "")
    if choice < 0.7:
        return postcode.lower()
    if choice < 0.85:
        return postcode.replace(" ", "  ")
    return f" {postcode} "


def postcode_typo(postcode: str, rng: random.Random) -> str:
    """The inward code's last letters are where postcodes go wrong."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return postcode[:-1] + rng.choice(letters.replace(postcode[-1], ""))
