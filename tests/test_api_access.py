"""Roles, injection, query bombs and the audit log, over real HTTP against real Neo4j."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLScalarType

from api.auth import ROLES
from api.errors import FORBIDDEN
from api.permissions import FIELD_ROLES
from api.schema import schema
from live.client import Subscriber, SubscriptionError
from responsible.disclosure import MAX_PERTURBATION
from tests.api_world import PAIR, PERSON_A, PERSON_B, World, graph_counts, world

pytestmark = pytest.mark.neo4j

BOX = "{west: -5, south: 50, east: 0, north: 54}"
PURPOSE = "role table check"


@pytest.fixture(scope="module")
def api(neo4j_settings, tmp_path_factory):
    with world(neo4j_settings, tmp_path_factory.mktemp("api-access")) as w:
        yield w


def probes(w: World) -> dict[str, str]:
    """One minimal operation per entry of the role table."""
    cell = w.cells[0]
    return {
        "forces": "{ forces { code } }",
        "incidentCount": '{ incidentCount(force: "south-wales") }',
        "months": "{ months }",
        "crimeGroups": "{ crimeGroups }",
        "areas": '{ areas(force: "south-wales") }',
        "riskLayer": f"{{ riskLayer(bbox: {BOX}) }}",
        "hotspots": f"{{ hotspots(bbox: {BOX}) }}",
        "forecastLayer": f'{{ forecastLayer(bbox: {BOX}, month: "2025-02") }}',
        "cell": f'{{ cell(id: "{cell}") {{ id incidentCount }} }}',
        "CellDetails.incidents": f'{{ cell(id: "{cell}") {{ incidents {{ id }} }} }}',
        "CellDetails.people": f'{{ cell(id: "{cell}") {{ people(purpose: "{PURPOSE}") '
        "{ personId } } }",
        "incidents": f"{{ incidents(bbox: {BOX}) }}",
        "place": '{ place(id: "x") { id } }',
        "Place.people": f'{{ place(id: "{w.location}", purpose: "{PURPOSE}") '
        "{ people { personId } } }",
        "person": f'{{ person(id: "{PERSON_A}", purpose: "{PURPOSE}") {{ id name }} }}',
        "searchPeople": f'{{ searchPeople(name: "John Smith", purpose: "{PURPOSE}") '
        "{ personId } }",
        "linkedCases": f'{{ linkedCases(personId: "{PERSON_A}", purpose: "{PURPOSE}") '
        "{ people } }",
        "network": f'{{ network(personId: "{PERSON_A}", purpose: "{PURPOSE}") '
        "{ members { personId } } }",
        "reviewQueue": "{ reviewQueue { totalCount edges { node { id } } } }",
        "matchEvidence": f'{{ matchEvidence(pairId: "{PAIR}") {{ pair {{ id }} }} }}',
        "decideMatch": 'mutation { decideMatch(pairId: "no-such-pair", decision: UNSURE, '
        'reason: "role table check") { id } }',
        "unmerge": 'mutation { unmerge(personId: "no-such-person", recordKeys: ["a:b"], '
        'reason: "role table check") { personId } }',
        "reloadLayers": "mutation { reloadLayers { status } }",
        "layerReload": "{ layerReload { status } }",
        "auditLog": "{ auditLog(first: 1) { totalCount } }",
        "ingestRecords": 'mutation { ingestRecords(source: "police.uk", records: []) '
        "{ accepted } }",
        "interventions": "{ interventions { id } }",
        "interventionImpact": '{ interventionImpact(id: "iv-00000000") { id } }',
    }


# Subscriptions run over the websocket, so they are probed there.
SUBSCRIPTION_PROBES = {
    "incidentAdded": f"subscription {{ incidentAdded(bbox: {BOX}) }}",
    "riskChanged": f"subscription {{ riskChanged(bbox: {BOX}) }}",
    "reviewNeeded": "subscription { reviewNeeded { pairId } }",
}


def _codes(body: dict) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body.get("errors", [])}


def test_every_field_in_the_role_table_is_probed(api) -> None:
    assert set(probes(api)) | set(SUBSCRIPTION_PROBES) == set(FIELD_ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_subscription_roles(api, role) -> None:
    for field, query in SUBSCRIPTION_PROBES.items():
        with Subscriber(api.url, api.tokens[role]) as sub:
            sub.subscribe(query)
            if role in FIELD_ROLES[field]:
                assert sub.next(timeout=0.5) is None, (role, field)
            else:
                with pytest.raises(SubscriptionError, match=FORBIDDEN):
                    sub.next(timeout=5)


@pytest.mark.parametrize("role", ROLES)
def test_role_by_field_table(api, role) -> None:
    denied_seen, allowed_seen = [], []
    for field, query in probes(api).items():
        body = api.gql(query, role=role)
        if role in FIELD_ROLES[field]:
            assert "FORBIDDEN" not in _codes(body), (role, field, body)
            allowed_seen.append(field)
        else:
            assert "FORBIDDEN" in _codes(body), (role, field, body)
            # A nested field is denied by itself or by the field holding it.
            holders = {field, {"CellDetails": "cell", "Place": "place"}.get(field.split(".")[0])}
            assert any(e["extensions"].get("field") in holders for e in body["errors"]), (
                role,
                field,
                body,
            )
            denied_seen.append(field)
    assert allowed_seen  # every role may read the aggregate map layers
    if role == "public":
        assert {"person", "searchPeople", "linkedCases", "network", "incidents"} <= set(denied_seen)


def test_public_never_receives_a_person_or_an_exact_small_count(api) -> None:
    names = ("JOHN", "SMITH", "JANE", "JONES", PERSON_A, PERSON_B)
    for field, query in probes(api).items():
        text = json.dumps(api.gql(query, role="public"))
        assert not any(name in text for name in names), (field, text[:500])
    layer = api.gql(f"{{ riskLayer(bbox: {BOX}) }}")["data"]["riskLayer"]
    counts = [f["properties"]["incidents"] for f in layer["features"]]
    assert "fewer than 5" in counts
    # The cell of 7 shows 7 give or take the cell-key perturbation, never under 5.
    assert any(isinstance(c, int) and abs(c - 7) <= MAX_PERTURBATION for c in counts)
    assert all(c == "fewer than 5" or c >= 5 for c in counts)
    cell = api.gql(f'{{ cell(id: "{api.cells[1]}") {{ scores incidentCount }} }}')["data"]
    assert cell["cell"]["incidentCount"] == "fewer than 5"
    assert all(s["incidents"] == "fewer than 5" for s in cell["cell"]["scores"])
    small = api.gql('{ incidentCount(force: "gwent") }')["data"]["incidentCount"]
    assert small is None
    forces = api.gql("{ forces { code incidentCount } }")["data"]["forces"]
    assert all(f["incidentCount"] is None or f["incidentCount"] >= 5 for f in forces)
    exact = api.gql('{ incidentCount(force: "gwent") }', role="analyst")
    assert exact["data"]["incidentCount"] == 0


def test_a_bad_token_is_refused_not_downgraded(api) -> None:
    import httpx

    for header in ("Bearer not-a-key", "Bearer a.b.c", "Basic abc"):
        response = httpx.post(
            f"{api.url}/graphql", json={"query": "{ months }"}, headers={"authorization": header}
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


INJECTIONS = [
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    'x") RETURN n UNION MATCH (n) SET n.pwned = true //',
    "${jndi:ldap://x}",
    "../../../../etc/passwd",
    "\\u0000; DROP TABLE incidents; --",
]


def _named(t):
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def string_arguments() -> list[tuple[str, str, str]]:
    """Every (operation, field, argument) whose type is String or ID (or lists of them)."""
    gql = schema._schema
    found = []
    for op, root in (("query", gql.query_type), ("mutation", gql.mutation_type)):
        for field_name, field in root.fields.items():
            for arg_name, arg in field.args.items():
                t = _named(arg.type)
                if isinstance(t, GraphQLScalarType) and t.name in ("String", "ID"):
                    found.append((op, field_name, arg_name))
    for type_name in ("CellDetails",):
        for field_name, field in gql.type_map[type_name].fields.items():
            for arg_name, arg in field.args.items():
                if _named(arg.type).name in ("String", "ID"):
                    found.append(("query", f"{type_name}.{field_name}", arg_name))
    return found


def _with(args: dict[str, str], name: str, value: str, is_list: bool) -> str:
    merged = {**args, name: json.dumps([value] if is_list else value)}
    return ", ".join(f"{k}: {v}" for k, v in merged.items())


BASE_ARGS = {
    "incidentCount": ({"force": '"south-wales"'}, ""),
    "areas": ({}, ""),
    "riskLayer": ({"bbox": BOX}, ""),
    "hotspots": ({"bbox": BOX}, ""),
    "forecastLayer": ({"bbox": BOX}, ""),
    "incidents": ({"bbox": BOX}, ""),
    "cell": ({"id": '"x"'}, "{ id }"),
    "person": ({"id": '"P-A"', "purpose": f'"{PURPOSE}"'}, "{ id }"),
    "searchPeople": ({"name": '"John Smith"', "purpose": f'"{PURPOSE}"'}, "{ personId }"),
    "linkedCases": ({"personId": '"P-A"', "purpose": f'"{PURPOSE}"'}, "{ people }"),
    "network": ({"personId": '"P-A"', "purpose": f'"{PURPOSE}"'}, "{ personId }"),
    "place": ({"id": '"x"'}, "{ id }"),
    "reviewQueue": ({}, "{ totalCount }"),
    "matchEvidence": ({"pairId": '"x"'}, "{ pair { id } }"),
    "auditLog": ({}, "{ totalCount }"),
    "interventionImpact": ({}, "{ id }"),
    "decideMatch": (
        {"pairId": '"x"', "decision": "UNSURE", "reason": '"injection check"'},
        "{ id }",
    ),
    "unmerge": ({"personId": '"x"', "recordKeys": '["a:b"]', "reason": '"check"'}, "{ personId }"),
    # An unknown source is refused before anything is journalled.
    "ingestRecords": ({"source": '"police.uk"', "records": "[]"}, "{ accepted }"),
}


def _role_for(field: str) -> str:
    allowed = FIELD_ROLES[field]
    return "investigator" if "investigator" in allowed else sorted(allowed)[0]


def test_injection_through_every_string_argument_changes_nothing_and_leaks_nothing(api) -> None:
    before = graph_counts(api.neo4j)
    arguments = string_arguments()
    assert len(arguments) >= 20
    checked = 0
    for op, field, arg in arguments:
        for payload in INJECTIONS:
            if field.startswith("CellDetails."):
                query = (
                    f'{{ cell(id: "{api.cells[0]}") {{ people(purpose: {json.dumps(payload)}) '
                    "{ personId } } }"
                )
                role = "investigator"
            else:
                args, selection = BASE_ARGS[field]
                gql_field = schema._schema.get_type(
                    "Query" if op == "query" else "Mutation"
                ).fields[field]
                is_list = isinstance(_named_list(gql_field.args[arg].type), GraphQLList)
                prefix = "mutation " if op == "mutation" else ""
                query = f"{prefix}{{ {field}({_with(args, arg, payload, is_list)}) {selection} }}"
                role = _role_for(field)
            body = api.gql(query, role=role)
            text = json.dumps(body)
            for leak in ("Neo.", "Traceback", "MATCH", "cypher", "duckdb", "pwned"):
                assert leak not in text.replace(payload, "").replace(
                    json.dumps(payload)[1:-1], ""
                ), (field, arg, text[:400])
            checked += 1
    # Audit entries and decisions on missing pairs are the only writes these make.
    after = graph_counts(api.neo4j)
    for key, count in before.items():
        if key not in ("node:AuditEntry",):
            assert after.get(key) == count, key
    assert checked == len(arguments) * len(INJECTIONS)


def _named_list(t):
    return t.of_type if isinstance(t, GraphQLNonNull) else t


def test_depth_alias_and_token_bombs_are_rejected(api) -> None:
    nested = "{ forces { code } " + "".join(f"f{i}: forces {{ code }} " for i in range(3)) + "}"
    assert "errors" not in api.gql(nested)
    # Introspection recurses through __Type.fields: the classic bomb.
    deep = "{ __schema { types { fields { type { fields { type { fields { type { fields "
    deep += "{ name } } } } } } } } } }"
    body = api.gql(deep)
    assert body.get("data") is None and "introspection" in json.dumps(body).lower()
    aliases = "{ " + " ".join(f"a{i}: months" for i in range(200)) + " }"
    body = api.gql(aliases)
    assert body.get("data") is None and "aliases" in body["errors"][0]["message"]
    tokens = "{ months " + " ".join("crimeGroups" for _ in range(3000)) + " }"
    body = api.gql(tokens)
    assert body.get("data") is None and "token" in body["errors"][0]["message"].lower()


def _entries(api: World, purpose: str) -> list[dict]:
    entries, after = [], None
    while True:
        body = api.gql(
            "query($a: String) { auditLog(first: 500, after: $a) { edges { node "
            "{ what purpose records who role } } pageInfo { hasNextPage endCursor } } }",
            {"a": after},
            role="auditor",
        )
        log = body["data"]["auditLog"]
        entries += [e["node"] for e in log["edges"] if e["node"]["purpose"] == purpose]
        if not log["pageInfo"]["hasNextPage"]:
            return entries
        after = log["pageInfo"]["endCursor"]


PERSON_READS = {
    "person": '{{ person(id: "P-A", purpose: "{p}") {{ id records {{ recordId }} }} }}',
    "searchPeople": '{{ searchPeople(name: "Jane Jones", purpose: "{p}") {{ personId }} }}',
    "linkedCases": '{{ linkedCases(personId: "P-A", depth: 2, purpose: "{p}") {{ people }} }}',
    "network": '{{ network(personId: "P-A", purpose: "{p}") {{ members {{ personId }} }} }}',
    "place": '{{ place(id: "{loc}", purpose: "{p}") {{ people {{ personId }} }} }}',
    "cell.people": '{{ cell(id: "{cell}") {{ people(purpose: "{p}") {{ personId }} }} }}',
}


@pytest.mark.parametrize("what", sorted(PERSON_READS))
def test_every_person_level_read_is_audited_exactly_once(api, what) -> None:
    purpose = f"audit check {uuid.uuid4().hex[:8]}"
    query = PERSON_READS[what].format(p=purpose, loc=api.location, cell=api.cells[0])
    body = api.gql(query, role="investigator")
    assert "errors" not in body, body
    entries = _entries(api, purpose)
    assert len(entries) == 1, entries
    assert entries[0]["what"] == what
    assert entries[0]["who"] == "jwt:test-investigator" and entries[0]["role"] == "investigator"
    assert entries[0]["records"] >= 1
    # Denied and invalid reads read nothing and write no entry.
    denied = api.gql(query, role="analyst" if what != "place" else "public")
    assert "FORBIDDEN" in _codes(denied)
    assert len(_entries(api, purpose)) == 1


def test_a_repeated_read_is_audited_each_time_even_aliased_as_a_layer(api) -> None:
    """A person read named like a map layer is not a layer: no answer is reused for it."""
    purpose = f"alias check {uuid.uuid4().hex[:8]}"
    query = f'{{ riskLayer: person(id: "P-A", purpose: "{purpose}") {{ id }} }}'
    for _ in range(2):
        body = api.gql(query, role="investigator")
        assert body["data"]["riskLayer"]["id"] == "P-A", body
    assert len(_entries(api, purpose)) == 2


def test_concurrent_reads_are_each_audited_once(api) -> None:
    """Reads arriving together share audit transactions (group commit) but each still gets
    its own entry, and each answer comes back."""
    from concurrent.futures import ThreadPoolExecutor

    purpose = f"audit burst {uuid.uuid4().hex[:8]}"
    query = PERSON_READS["linkedCases"].format(p=purpose)
    with ThreadPoolExecutor(max_workers=12) as pool:
        bodies = list(pool.map(lambda _: api.gql(query, role="investigator"), range(24)))
    assert all("errors" not in b and b["data"]["linkedCases"]["people"] for b in bodies)
    entries = _entries(api, purpose)
    assert len(entries) == 24 and {e["what"] for e in entries} == {"linkedCases"}


def test_steward_reads_are_audited_and_decisions_land_in_the_graph(api) -> None:
    before = api.gql("{ auditLog(first: 1) { totalCount } }", role="auditor")
    queue = api.gql(
        "{ reviewQueue(first: 5) { totalCount edges { node { id } } } }", role="steward"
    )
    after = api.gql("{ auditLog(first: 1) { totalCount } }", role="auditor")
    assert after["data"]["auditLog"]["totalCount"] == before["data"]["auditLog"]["totalCount"] + 1
    assert queue["data"]["reviewQueue"]["totalCount"] >= 0
    bad = api.gql(
        'mutation { decideMatch(pairId: "pair-1", decision: MATCH, reason: "") { id } }',
        role="steward",
    )
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "reason"}


def test_audit_log_is_append_only_in_code() -> None:
    """No Cypher file sets, removes or deletes an AuditEntry."""
    from core.settings import CYPHER_DIR

    for path in CYPHER_DIR.rglob("*.cypher"):
        text = path.read_text()
        if "AuditEntry" in text:
            assert not re.search(r"\b(DELETE|REMOVE|MERGE)\b", text), path
            assert path.relative_to(
                CYPHER_DIR
            ).as_posix() == "audit/append.cypher" or not re.search(r"\bSET\b", text), path


def test_match_evidence_shows_whole_people_and_audits_every_record_shown(api) -> None:
    query = (
        f'{{ matchEvidence(pairId: "{PAIR}") {{ leftPerson {{ personId totalRecords '
        "records { key record { forename } } } rightPerson { personId totalRecords } "
        "effects { decision effect } } }"
    )
    before = [e for e in _entries(api, "match review") if e["what"] == "matchEvidence"]
    body = api.gql(query, role="steward")
    evidence = body["data"]["matchEvidence"]
    assert evidence["leftPerson"]["totalRecords"] == 2
    assert sorted(r["key"] for r in evidence["leftPerson"]["records"]) == [
        "police_a:A1",
        "social_care:S1",
    ]
    assert evidence["rightPerson"]["totalRecords"] == 1
    effects = {e["decision"]: e["effect"] for e in evidence["effects"]}
    assert effects["MATCH"] == "joins two people (2 and 1 records) into one of 3 records"
    after = [e for e in _entries(api, "match review") if e["what"] == "matchEvidence"]
    assert len(after) == len(before) + 1
    assert after[-1]["records"] == 3  # both people's records, each read audited
    denied = api.gql(query, role="investigator")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
