"""A seeded multi-agency world with known truth, tied to real incidents and geography.

No real person-level policing data is public, so crimegraph makes its own: a synthetic
population living at real Welsh (and border) postcodes, offenders attached as suspects to
real data.police.uk incidents, victims and witnesses, and the extracts that four
different systems would hold about them, with realistic errors. The truth is written
apart from the extracts; the pipeline never reads it.
"""
