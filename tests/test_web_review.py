"""The review page in Debian's headless Chromium against the real API: a steward sees the
queue, both records side by side with each comparison's weight, decides by keyboard with
a reason, and the decision is stored in Neo4j as a MatchDecision on the pair."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, sync_playwright

from graph.connection import driver
from testkit.cypher import TESTS
from testkit.web import CHROMIUM, CHROMIUM_ARGS, LAPTOP, require_built_pages, screenshot
from tests.api_world import PAIR, world

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def browser() -> Browser:
    require_built_pages()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def review_world(neo4j_settings, tmp_path):
    with world(neo4j_settings, tmp_path) as w:
        yield w


@pytest.fixture()
def page(browser, review_world):
    context = browser.new_context(viewport=LAPTOP, base_url=review_world.url)
    yield context.new_page()
    context.close()


def test_public_is_told_a_steward_token_is_needed(page) -> None:
    page.goto("/review")
    page.wait_for_function("document.getElementById('status').textContent.includes('steward')")
    assert page.locator("#queue li").count() == 0


def test_a_keyboard_decision_is_stored_in_neo4j(page, review_world, neo4j_settings) -> None:
    page.goto("/review")
    page.fill("#token", review_world.tokens["steward"])
    page.press("#token", "Enter")
    page.wait_for_selector(f"#queue button[data-pair-id='{PAIR}']")
    page.wait_for_selector("#evidence tr")
    records = page.inner_text("#records")
    assert "JOHN" in records and "JANE" in records and "police_a" in records
    evidence = page.inner_text("#evidence")
    assert "forename" in evidence and "-3.00" in evidence and "+1.20" in evidence
    assert "Ctrl" in page.inner_text("#shortcuts")

    page.focus(f"#queue button[data-pair-id='{PAIR}']")
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("different people: forenames and surnames differ")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("document.body.dataset.lastDecision !== undefined")
    screenshot(page, "review-decision")
    assert "Saved: not_a_match by jwt:test-steward" in page.inner_text("#decide-status")

    with driver(neo4j_settings) as drv:
        rows, _, _ = drv.execute_query(TESTS.statement("decisions_for_pair"), pair_id=PAIR)
    assert [r.data() for r in rows] == [
        {
            "decision": "not_a_match",
            "reason": "different people: forenames and surnames differ",
            "decided_by": "jwt:test-steward",
            "origin": "api",
            "status": "decided",
        }
    ]


def test_a_decision_needs_a_reason(page, review_world, neo4j_settings) -> None:
    page.goto("/review")
    page.fill("#token", review_world.tokens["steward"])
    page.press("#token", "Enter")
    page.wait_for_selector("#evidence tr")
    page.focus(f"#queue button[data-pair-id='{PAIR}']")
    page.keyboard.press("m")
    page.keyboard.press("Control+Enter")
    assert "Give a reason" in page.inner_text("#decide-status")
    with driver(neo4j_settings) as drv:
        rows, _, _ = drv.execute_query(TESTS.statement("decisions_for_pair"), pair_id=PAIR)
    assert rows == []


def test_the_steward_sees_whole_people_and_splits_one_from_the_page(
    page, review_world, neo4j_settings
) -> None:
    page.goto("/review")
    page.fill("#token", review_world.tokens["steward"])
    page.press("#token", "Enter")
    queue_entry = page.locator(f"#queue button[data-pair-id='{PAIR}']")
    queue_entry.wait_for()
    assert "JOHN SMITH ↔ JANE JONES" in queue_entry.inner_text()  # names, not ids
    page.wait_for_selector("#left-person li")
    left = page.inner_text("#left-person")
    assert "(2 records)" in left and "JON SMITH" in left and "JOHN SMITH" in left
    assert "(this pair)" in left
    assert "(1 record)" in page.inner_text("#right-person")
    effects = page.inner_text("#effects")
    assert "Match: joins two people (2 and 1 records) into one of 3 records" in effects
    assert "Not a match: keeps two people" in effects
    screenshot(page, "review-people-today")

    page.check("#left-person input[value='social_care:S1']")
    page.fill("#left-person input[name=reason]", "the JON record is his brother")
    page.click("#left-person button[type=submit]")
    page.wait_for_function("document.body.dataset.lastSplit !== undefined")
    assert "Split 1 record(s) off; 1 cannot-link" in page.inner_text("#left-person")
    with driver(neo4j_settings) as drv:
        rows, _, _ = drv.execute_query(TESTS.statement("unmerge_decisions"))
    assert [r.data() for r in rows] == [
        {"pair": "unmerge:social_care:S1|police_a:A1", "reason": "the JON record is his brother"}
    ]
