"""Stable person ids across runs, with split and merge lineage (pure logic)."""

from resolver.linkage.stable_ids import assign, fresh_id

A, B, C, D = ("s", "a"), ("s", "b"), ("s", "c"), ("s", "d")
KEY = b"a test key"


def test_first_run_ids_derive_from_members_and_are_repeatable() -> None:
    ids, lineage = assign([[A, B], [C]], {}, KEY)
    assert ids == [fresh_id([A, B], KEY), fresh_id([C], KEY)]
    assert assign([[C], [B, A]], {}, KEY)[0] == [fresh_id([C], KEY), fresh_id([A, B], KEY)]
    assert lineage == []


def test_unchanged_members_keep_their_id_even_when_others_join() -> None:
    previous = {A: "P1", B: "P1", C: "P2"}
    ids, lineage = assign([[A, B, D], [C]], previous, KEY)
    assert ids == ["P1", "P2"]
    assert lineage == []


def test_merge_keeps_the_majority_id_and_records_lineage() -> None:
    previous = {A: "P1", B: "P1", C: "P2"}
    ids, lineage = assign([[A, B, C]], previous, KEY)
    assert ids == ["P1"]
    assert [(e.kind, e.from_person_id, e.to_person_id, e.records) for e in lineage] == [
        ("merged", "P2", "P1", 1)
    ]


def test_split_gives_the_larger_part_the_old_id_and_the_rest_a_new_one() -> None:
    previous = {A: "P1", B: "P1", C: "P1"}
    ids, lineage = assign([[A, B], [C]], previous, KEY)
    assert ids[0] == "P1" and ids[1] == fresh_id([C], KEY)
    assert [(e.kind, e.from_person_id, e.to_person_id) for e in lineage] == [
        ("split", "P1", fresh_id([C], KEY))
    ]


def test_an_id_cannot_be_computed_from_a_record_id_without_the_key() -> None:
    """The public rule sha1("system|record")[:12] no longer gives the id; another key
    gives another id, the same key the same one."""
    import hashlib

    public_rule = "P" + hashlib.sha1(b"s|a").hexdigest()[:12]
    assert fresh_id([A], KEY) != public_rule
    assert fresh_id([A], KEY) != fresh_id([A], b"another key")
    assert fresh_id([A], KEY) == fresh_id([A], KEY)
