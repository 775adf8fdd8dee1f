"""Clustering that refuses self-contradicting merges (pure logic)."""

from resolver.linkage.clustering import (
    Forename,
    cluster,
    dates_conflict,
    dates_reliable,
    forenames_conflict,
)


def test_dates_conflict_allows_clerical_slips_only() -> None:
    assert not dates_conflict("19900403", "19900403")
    assert not dates_conflict("19900403", "19900304")  # day and month swapped
    assert not dates_conflict("19900403", "19900413")  # one digit
    assert not dates_conflict("19900403", "19800413")  # two digits
    assert dates_conflict("19900403", "20210612")  # mother and daughter


def test_a_record_without_a_date_joins_its_best_match_not_both() -> None:
    # 0: mother (1960), 1: daughter of the same name (1990), 2: no date, matches both
    dates = {0: "19600101", 1: "19900505", 2: None}
    edges = [(0, 2, 0.97), (1, 2, 0.95), (0, 1, 0.1)]  # scored against each other: no match
    clusters, holding = cluster([0, 1, 2], dates, edges, threshold=0.6)
    assert clusters[2] == clusters[0] != clusters[1]
    assert holding[1] == 1.0 and holding[2] == 0.97


def test_plain_chains_still_join_and_thresholds_hold() -> None:
    dates = {0: "19900403", 1: None, 2: "19900304", 3: "19900403"}
    edges = [(0, 1, 0.99), (1, 2, 0.9), (2, 3, 0.4)]
    clusters, holding = cluster([0, 1, 2, 3], dates, edges, threshold=0.6)
    assert clusters[0] == clusters[1] == clusters[2] != clusters[3]
    assert holding[3] == 1.0
    assert holding[1] == 0.99 and holding[2] == 0.9


def test_conflicting_dates_merge_when_the_records_themselves_matched() -> None:
    # two records of one person whose date was badly corrupted, scored a match directly
    dates = {0: "19810828", 1: "19080103"}
    clusters, _ = cluster([0, 1], dates, [(0, 1, 0.95)], threshold=0.6)
    assert clusters[0] == clusters[1]


def test_cannot_link_keeps_records_apart_even_through_a_third() -> None:
    dates = {0: None, 1: None, 2: None}
    edges = [(0, 1, 0.99), (1, 2, 0.98)]
    clusters, _ = cluster([0, 1, 2], dates, edges, threshold=0.6, cannot_link=[(0, 2)])
    assert clusters[0] == clusters[1] != clusters[2]


def test_dates_veto_only_where_they_prove_reliable() -> None:
    same = [("19800101", "19800101")] * 45 + [("19800101", "19800110")] * 5  # slips
    assert dates_reliable(same)
    corrupted = same[:40] + [("19800101", "19631231")] * 10  # one pair in five conflicts
    assert not dates_reliable(corrupted)
    assert dates_reliable(corrupted[-10:])  # too few pairs to tell: keep the veto


def _name(name: str, surname: str = "SHAW", aliases=(), middle=()) -> Forename:
    return Forename(name, frozenset(aliases), frozenset(middle), surname)


def test_forenames_conflict_only_when_they_are_different_names() -> None:
    assert forenames_conflict(_name("OLIVER"), _name("OMAR"))
    assert not forenames_conflict(_name("JON"), _name("JOHN"))  # a slip
    assert not forenames_conflict(_name("BOB", aliases={"ROBERT"}), _name("ROBERT"))
    assert not forenames_conflict(_name("ANNE", middle={"MARY"}), _name("MARY"))
    assert not forenames_conflict(_name("J"), _name("JAMES"))  # an initial
    assert not forenames_conflict(_name("SHAW", surname="OLIVER"), _name("OLIVER"))  # swapped


def test_twins_are_not_chained_through_a_record_without_a_forename_check() -> None:
    # 0: Oliver, 1: Omar (twins: one surname, birthday and home), 2: a record that matches
    # both strongly (a slip in its forename); the twins scored against each other: uncertain
    names = {0: _name("OLIVER"), 1: _name("OMAR"), 2: _name("OLIVR")}
    dates = {0: "20140816", 1: "20140816", 2: "20140816"}
    edges = [(0, 2, 0.99), (1, 2, 0.97), (0, 1, 0.7)]
    clusters, _ = cluster([0, 1, 2], dates, edges, threshold=0.6, forenames=names)
    assert clusters[2] == clusters[0] != clusters[1]
    # without the forenames (an input whose forenames prove unreliable) they chain
    clusters, _ = cluster([0, 1, 2], dates, edges, threshold=0.6)
    assert clusters[0] == clusters[1] == clusters[2]


def test_different_forenames_merge_only_by_a_stewards_match() -> None:
    names = {0: _name("GARETH"), 1: _name("GAZ")}  # a familiar form no list holds
    edges = [(0, 1, 0.999)]  # as sure as the model gets: what twins look like too
    clusters, _ = cluster([0, 1], {}, edges, threshold=0.6, forenames=names)
    assert clusters[0] != clusters[1]
    clusters, _ = cluster(
        [0, 1], {}, [*edges, (0, 1, 1.0)], threshold=0.6, forenames=names, must_link=[(0, 1)]
    )
    assert clusters[0] == clusters[1]


def test_a_date_other_records_confirm_is_not_overridden_by_a_score() -> None:
    # 0, 1: a father's records (1957, twice); 2: his son of the same name and home (1992),
    # scored a near-certain match against his father: the father's date is confirmed
    dates = {0: "19570911", 1: "19570911", 2: "19921204"}
    edges = [(0, 1, 1.0), (0, 2, 0.999)]
    clusters, _ = cluster([0, 1, 2], dates, edges, threshold=0.6, confirmed_dates={0, 1})
    assert clusters[0] == clusters[1] != clusters[2]
    # neither date confirmed (one record each, one of them mistyped): the score decides
    clusters, _ = cluster([0, 2], dates, [(0, 2, 0.999)], threshold=0.6)
    assert clusters[0] == clusters[2]
