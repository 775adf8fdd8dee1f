"""A second person-linkage generator, written apart from ``simulate`` to test the resolver
on data it was never tuned to.

Nothing here is shared with the main simulator: its own names (English and Welsh by birth
decade, surnames by frequency with a long synthetic tail and the UK's South Asian, Irish and
Polish names), its own family structure (twins and triplets, siblings a year or two apart,
sons and daughters named after a parent, three generations under one roof, women who married
and their records under the maiden name at the parents' home), and its own error model
(phonetic spellings, OCR confusions, a relative's value copied onto a record, placeholder
1 January dates, ages turned into a year of birth, US-ordered dates, field truncation).

``write(directory, people=..., seed=...)`` writes the resolver contract's ``input.csv`` and
the truth (``truth.csv``: the person behind every row).
"""

from simulate.kinship.records import write

__all__ = ["write"]
