"""Police force identities: the short codes data.police.uk uses (``south-wales``)."""

from __future__ import annotations

import re

_SUFFIXES = (" police service", " police", " constabulary")
_SPECIAL = {
    "metropolitan": "metropolitan",
    "metropolitan police service": "metropolitan",
    "london, city of": "city-of-london",
    "city of london": "city-of-london",
    "british transport": "btp",
}


def force_code(name: str) -> str:
    """The police.uk force id for a force name as any source writes it.

    ``"Dyfed-Powys Police"``, ``"Dyfed-Powys"`` and ``"dyfed-powys"`` all give
    ``"dyfed-powys"``; ``"Devon & Cornwall"`` gives ``"devon-and-cornwall"``.
    """
    text = " ".join(name.strip().lower().split())
    if text in _SPECIAL:
        return _SPECIAL[text]
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    text = _SPECIAL.get(text, text)
    text = text.replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")
