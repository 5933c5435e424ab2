"""No breaking API change goes out without a line in docs/api-changelog.md (issue 6, part 5).

The spec is compared with the previous committed one (scripts/openapi_breaking.py explains which); when
there is none (a shallow clone, the first commit) the test is skipped with the reason. The comparator itself
is tested on small hand-made spec pairs, and the choice of the previous spec on throwaway git repositories.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scripts import openapi_breaking as ob

ROOT = Path(__file__).resolve().parents[2]
Spec = dict[str, Any]


def test_no_unlisted_breaking_change_since_the_previous_spec() -> None:
    old, source = ob.previous_spec()
    if old is None:
        pytest.skip(f"no previous openapi/gateway.json to compare with: {source}")
    new = json.loads((ROOT / ob.SPEC_PATH).read_text())
    changes = ob.breaking_changes(old, new)
    missing = ob.unacknowledged(changes, ob.CHANGELOG.read_text())
    assert not missing, (
        f"breaking change(s) against {source} not listed in docs/api-changelog.md "
        "(add a bullet with BREAKING, the method, the path and the field; see its format):\n"
        + "\n".join(f"- BREAKING: {c}" for c in missing)
    )


def test_the_changelog_documents_its_format() -> None:
    text = ob.CHANGELOG.read_text()
    assert "BREAKING" in text
    assert "## The format" in text


# ------------------------------------------------------------------------------------- hand-made specs


def _spec() -> Spec:
    """A tiny spec: list employees (query, page of Employee) and create one (body)."""
    employee = {
        "type": "object",
        "required": ["nip", "name"],
        "properties": {
            "nip": {"type": "string"},
            "name": {"type": "string"},
            "rank": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "grade": {"type": "integer"},
            "status": {"$ref": "#/components/schemas/Status"},
            "unit": {"$ref": "#/components/schemas/Unit"},
        },
    }
    create = {
        "type": "object",
        "required": ["nip"],
        "properties": {
            "nip": {"type": "string"},
            "name": {"type": "string"},
            "status": {"$ref": "#/components/schemas/Status"},
        },
    }
    page = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Employee"}}},
    }
    ok_page = {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}
    ok_one = {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Employee"}}}}}
    return {
        "openapi": "3.1.0",
        "paths": {
            "/kinerja/v1/employees": {
                "get": {
                    "operationId": "kinerja_employees_list",
                    "parameters": [
                        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer"}}
                    ],
                    "responses": ok_page,
                },
                "post": {
                    "operationId": "kinerja_employees_create",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Create"}}},
                    },
                    "responses": ok_one,
                },
            },
            "/kinerja/v1/units": {"get": {"operationId": "kinerja_units_list", "responses": {}}},
        },
        "components": {
            "schemas": {
                "Employee": employee,
                "Create": create,
                "Page": page,
                "Unit": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "code": {"type": "string"}},
                },
                "Status": {"type": "string", "enum": ["ACTIVE", "RETIRED"]},
            }
        },
    }


def _changes(mutate: Any) -> list[str]:
    old = _spec()
    new = copy.deepcopy(old)
    mutate(new)
    return [str(c) for c in ob.breaking_changes(old, new)]


def _schemas(spec: Spec) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def test_identical_specs_have_no_breaking_change() -> None:
    assert _changes(lambda s: None) == []


def test_additions_are_not_breaking() -> None:
    def extend(s: Spec) -> None:
        s["paths"]["/kinerja/v1/skp"] = {"get": {"operationId": "kinerja_skp_list", "responses": {}}}
        s["paths"]["/kinerja/v1/units"]["post"] = {"operationId": "kinerja_units_create", "responses": {}}
        _schemas(s)["Employee"]["properties"]["email"] = {"type": "string"}
        _schemas(s)["Create"]["properties"]["email"] = {"type": "string"}
        _schemas(s)["Status"]["enum"].append("DECEASED")  # a new value in a response is an extension
        s["paths"]["/kinerja/v1/employees"]["get"]["parameters"].append(
            {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}}
        )
        _schemas(s)["Create"]["required"] = []  # a required request field becoming optional

    assert _changes(extend) == []


def test_removed_path_and_operation() -> None:
    def remove(s: Spec) -> None:
        del s["paths"]["/kinerja/v1/units"]
        del s["paths"]["/kinerja/v1/employees"]["post"]

    assert _changes(remove) == [
        "POST /kinerja/v1/employees: operation removed",
        "/kinerja/v1/units: path removed",
    ]


def test_removed_response_field_nested_through_refs() -> None:
    def remove(s: Spec) -> None:
        del _schemas(s)["Employee"]["properties"]["rank"]
        del _schemas(s)["Unit"]["properties"]["code"]

    found = _changes(remove)
    assert "GET /kinerja/v1/employees: response 200 `items[].rank`: response field removed" in found
    assert "GET /kinerja/v1/employees: response 200 `items[].unit.code`: response field removed" in found
    assert "POST /kinerja/v1/employees: response 201 `rank`: response field removed" in found


def test_changed_types() -> None:
    def retype(s: Spec) -> None:
        _schemas(s)["Employee"]["properties"]["grade"] = {"type": "string"}
        _schemas(s)["Employee"]["properties"]["name"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
        _schemas(s)["Create"]["properties"]["name"] = {"type": "integer"}
        s["paths"]["/kinerja/v1/employees"]["get"]["parameters"][0]["schema"] = {
            "type": "string",
            "format": "x",
        }

    found = _changes(retype)
    assert (
        "GET /kinerja/v1/employees: response 200 `items[].grade`: type changed from ['integer'] to ['string']"
        in found
    )
    assert (
        "GET /kinerja/v1/employees: response 200 `items[].name`: type changed from ['string'] to ['null', 'string']"
        in found
    )
    assert "POST /kinerja/v1/employees: request `name`: type changed from ['string'] to ['integer']" in found
    # A generated client typed `limit` as a number; it no longer compiles against a string.
    assert (
        "GET /kinerja/v1/employees: query parameter `limit`: type changed from ['integer'] to ['string']"
        in found
    )


def test_narrowing_a_response_or_widening_a_request_is_fine() -> None:
    def change(s: Spec) -> None:
        _schemas(s)["Employee"]["properties"]["rank"] = {"type": "string"}  # no longer null
        _schemas(s)["Create"]["properties"]["name"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}

    assert _changes(change) == []


def test_new_required_request_field_and_parameter() -> None:
    def require(s: Spec) -> None:
        _schemas(s)["Create"]["required"] = ["nip", "name", "unit_id"]
        _schemas(s)["Create"]["properties"]["unit_id"] = {"type": "string"}
        params = s["paths"]["/kinerja/v1/employees"]["get"]["parameters"]
        params[0]["required"] = True
        params.append({"name": "year", "in": "query", "required": True, "schema": {"type": "integer"}})

    assert _changes(require) == [
        "GET /kinerja/v1/employees: query parameter `limit` is now required",
        "GET /kinerja/v1/employees: query parameter `year` is now required",
        "POST /kinerja/v1/employees: request `name`: request field is now required",
        "POST /kinerja/v1/employees: request `unit_id`: new required request field",
    ]


def test_enum_value_no_longer_accepted_in_a_request() -> None:
    def shrink(s: Spec) -> None:
        _schemas(s)["Status"]["enum"] = ["ACTIVE"]

    assert _changes(shrink) == [
        'POST /kinerja/v1/employees: request `status`: enum values no longer accepted: "RETIRED"'
    ]


def test_removed_success_status() -> None:
    def move(s: Spec) -> None:
        post = s["paths"]["/kinerja/v1/employees"]["post"]
        post["responses"] = {"200": post["responses"]["201"]}

    assert _changes(move) == ["POST /kinerja/v1/employees: success response 201 removed"]


def test_a_renamed_path_parameter_is_the_same_path() -> None:
    """`/calendar/{year}` and `/calendar/{period}` are one URL: matched by shape, parameters by position."""

    def param(name: str, type_: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": {"type": type_}}

    def calendar(get_name: str, get_type: str = "integer") -> Spec:
        spec = _spec()
        spec["paths"]["/kinerja/v1/calendar/{period}"] = {
            "put": {"operationId": "kinerja_calendar_set", "parameters": [param("period", "string")]}
        }
        spec["paths"].setdefault(f"/kinerja/v1/calendar/{{{get_name}}}", {})["get"] = {
            "operationId": "kinerja_calendar_year",
            "parameters": [param(get_name, get_type)],
        }
        return spec

    def names(old: Spec, new: Spec) -> list[str]:
        return [str(c) for c in ob.breaking_changes(old, new)]

    assert names(calendar("year"), calendar("period")) == []
    assert names(calendar("year"), calendar("period", "boolean")) == [
        "GET /kinerja/v1/calendar/{year}: path parameter `period`: type changed from ['integer'] to ['boolean']"
    ]
    gone = calendar("period")
    del gone["paths"]["/kinerja/v1/calendar/{period}"]["get"]
    assert names(calendar("year"), gone) == ["GET /kinerja/v1/calendar/{year}: operation removed"]
    del gone["paths"]["/kinerja/v1/calendar/{period}"]
    assert names(calendar("year"), gone) == [
        "/kinerja/v1/calendar/{period}: path removed",
        "/kinerja/v1/calendar/{year}: path removed",
    ]


# ------------------------------------------------------------------------------------------ the change log


def test_a_changelog_bullet_must_name_path_method_and_field() -> None:
    change = ob.Change(
        "/kinerja/v1/employees/{nip}", "GET", "rank", "response 200 `rank`: response field removed"
    )
    gone = ob.Change("/kinerja/v1/units", None, None, "path removed")
    log = """# API change log

## 2027-01-10 — grades

- BREAKING: GET /kinerja/v1/employees/{nip} response field `rank` removed;
  read `grade` instead.
- BREAKING: /kinerja/v1/units removed.
- GET /kinerja/v1/employees/{nip} gains `grade` (not breaking).
"""
    assert ob.unacknowledged([change, gone], log) == []
    assert ob.unacknowledged([change], log.replace("BREAKING: GET", "Changed: GET")) == [change]
    assert ob.unacknowledged([change], log.replace("`rank` removed", "a field removed")) == [change]
    assert ob.unacknowledged([change], log.replace("BREAKING: GET", "BREAKING: PATCH")) == [change]
    other = ob.Change("/kinerja/v1/employees", "GET", None, "operation removed")
    assert ob.unacknowledged([other], log) == [other], "a longer path that contains it is not a mention"
    feed = ob.Change("/publik/v1/feed", "GET", None, "operation removed")
    assert ob.unacknowledged([feed], "- BREAKING: GET /publik/v1/feed.json removed") == [feed]
    assert ob.unacknowledged([feed], "- BREAKING: GET /publik/v1/feed.") == []


# -------------------------------------------------------------------------- choosing the previous spec


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=30)
    return done.stdout


def _commit_spec(repo: Path, spec: Spec, message: str) -> None:
    (repo / "openapi").mkdir(exist_ok=True)
    (repo / "openapi" / "gateway.json").write_text(json.dumps(spec))
    _git(repo, "add", "openapi/gateway.json")
    _git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    _git(path, "config", "user.email", "test@example.invalid")
    _git(path, "config", "user.name", "test")
    _git(path, "config", "commit.gpgsign", "false")
    return path


def test_previous_spec_from_history(repo: Path) -> None:
    first, second = _spec(), _spec()
    del second["paths"]["/kinerja/v1/units"]
    assert ob.previous_spec(repo)[0] is None  # nothing committed yet

    _commit_spec(repo, first, "v1")
    old, why = ob.previous_spec(repo)
    assert old is None
    assert "first commit" in why

    _commit_spec(repo, second, "remove units")
    (repo / "README").write_text("an unrelated later commit\n")
    _git(repo, "add", "README")
    _git(repo, "commit", "-q", "-m", "docs")
    old, why = ob.previous_spec(repo)
    assert old == first, why  # the parent of the last commit that changed the spec
    assert [str(c) for c in ob.breaking_changes(old, second)] == ["/kinerja/v1/units: path removed"]

    (repo / "openapi" / "gateway.json").write_text(json.dumps(first))  # an uncommitted change
    old, why = ob.previous_spec(repo)
    assert old == second
    assert "uncommitted" in why

    old, why = ob.previous_spec(repo, base="HEAD~2")
    assert old == first, why


def test_a_shallow_clone_has_no_previous_spec(repo: Path, tmp_path: Path) -> None:
    _commit_spec(repo, _spec(), "v1")
    changed = _spec()
    changed["paths"]["/kinerja/v1/skp"] = {}
    _commit_spec(repo, changed, "v1.1")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    old, why = ob.previous_spec(clone)
    assert old is None
    assert "shallow" in why
