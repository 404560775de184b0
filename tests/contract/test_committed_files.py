"""The committed contract files are what the real app serves: OpenAPI document and error catalogue.

When a route or a wire type changes, these tests fail until `shuangfang contract --write` regenerates the files, so
every change to the contract shows up in review as a diff of `mobile_contract/openapi.json` / `errors.json`.
"""

import json

from api import contract
from mobile_contract import CONTRACT_VERSION
from mobile_contract.errors import CATALOGUE

HOW = f"the committed file is stale; regenerate it with `{contract.REGENERATE}` and commit the diff"


def _differences(served: dict, committed: dict, where: str = "") -> list[str]:
    """Where two JSON documents differ, as paths (the first few are enough to see what changed)."""
    if isinstance(served, dict) and isinstance(committed, dict):
        found = []
        for key in sorted(set(served) | set(committed)):
            if key not in committed:
                found.append(f"{where}/{key}: served, not committed")
            elif key not in served:
                found.append(f"{where}/{key}: committed, no longer served")
            else:
                found += _differences(served[key], committed[key], f"{where}/{key}")
        return found
    return [] if served == committed else [f"{where}: differs"]


async def test_the_served_openapi_document_is_the_committed_one(client):
    served = (await client.get("/schema/openapi.json")).json()
    committed = json.loads(contract.OPENAPI_FILE.read_text())
    differences = _differences(served, committed)
    assert not differences, f"{HOW}:\n" + "\n".join(differences[:20])


def test_the_committed_openapi_file_is_exactly_what_the_command_writes():
    # Byte for byte: sorted keys and a fixed indent, so regenerating unchanged code never makes a diff.
    assert contract.OPENAPI_FILE.read_text() == contract.render(contract.openapi_document()), HOW
    assert json.loads(contract.OPENAPI_FILE.read_text())["info"]["version"] == CONTRACT_VERSION, HOW


def test_rendering_is_deterministic_whatever_the_key_order():
    assert contract.render({"b": 1, "a": {"d": [2, 1], "c": "中"}}) == contract.render(
        {"a": {"c": "中", "d": [2, 1]}, "b": 1}
    )
    assert contract.render({"a": "中"}) == '{\n  "a": "中"\n}\n'


async def test_the_error_catalogue_is_served_without_an_account_and_equals_the_committed_file(client):
    response = await client.get("/v1/errors")
    assert response.status_code == 200, response.text
    committed = json.loads(contract.ERRORS_FILE.read_text())
    assert response.json() == committed, HOW
    assert committed["contractVersion"] == CONTRACT_VERSION
    served = {entry["code"]: entry for entry in committed["errors"]}
    assert set(served) == set(CATALOGUE)
    for code, entry in CATALOGUE.items():
        assert (served[code]["status"], served[code]["zh"], served[code]["en"]) == (entry.status, entry.zh, entry.en)
        assert served[code]["type"] == f"urn:shuangfang:error:{code}"


def test_the_committed_error_catalogue_is_exactly_what_the_command_writes():
    assert contract.ERRORS_FILE.read_text() == contract.render(contract.errors_document()), HOW


def test_the_check_command_names_a_stale_file_and_how_to_regenerate_it(tmp_path, monkeypatch, capsys):
    from api.cli import main

    stale = tmp_path / "errors.json"
    stale.write_text('{"errors": []}\n')
    monkeypatch.setattr(contract, "ERRORS_FILE", stale)
    monkeypatch.setattr(contract, "OPENAPI_FILE", tmp_path / "openapi.json")
    monkeypatch.setattr(contract, "SNAPSHOT_DIR", tmp_path / "snapshots")
    (tmp_path / "openapi.json").write_text(contract.render(contract.openapi_document()))
    monkeypatch.setenv("SF_VAR_DIR", str(tmp_path / "var"))
    assert main(["contract", "--check"]) == 1
    out = capsys.readouterr().out
    assert f"stale: {stale}" in out and contract.REGENERATE in out
    assert main(["contract", "--write"]) == 0
    assert stale.read_text() == contract.render(contract.errors_document())
    assert main(["contract", "--check"]) == 0


def test_every_operation_documents_its_errors_as_problem_details():
    document = json.loads(contract.OPENAPI_FILE.read_text())
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    operations = [
        (path, method, operation) for path, item in document["paths"].items() for method, operation in item.items()
    ]
    assert len(operations) >= 80
    for path, method, operation in operations:
        for status in ("400", "default"):
            content = operation["responses"][status]["content"]  # its examples aside (api/openapi_docs.py)
            assert {media: {"schema": body["schema"]} for media, body in content.items()} == problem, (
                method,
                path,
                status,
            )
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
        "code",
    }


def test_every_query_parameter_is_camel_case_and_every_json_answer_has_a_schema():
    document = json.loads(contract.OPENAPI_FILE.read_text())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                # Path parameters are positional on the wire; query names are what the phone spells.
                assert parameter["in"] != "query" or "_" not in parameter["name"], (method, path, parameter["name"])
            for status, response in operation["responses"].items():
                json_content = (response.get("content") or {}).get("application/json")
                assert json_content is None or json_content.get("schema"), (method, path, status)


def test_generating_the_document_leaves_the_bound_engine_alone(tmp_path):
    from domain.db import piccolo_conf
    from domain.db.engine import EmbeddedSQLiteEngine, bind_engine
    from domain.db.tables import ALL_TABLES

    mine = EmbeddedSQLiteEngine(path=str(tmp_path / "mine.sqlite3"))
    bind_engine(mine)
    contract.openapi_document()
    assert piccolo_conf.DB is mine and ALL_TABLES[0]._meta.db is mine


def test_exactly_the_public_operations_are_documented_as_needing_no_token():
    import re

    from api.auth import PUBLIC_PATHS

    document = json.loads(contract.OPENAPI_FILE.read_text())
    assert document["security"] == [{"BearerToken": []}]
    for path, item in document["paths"].items():
        public = any(re.search(pattern, path) for pattern in PUBLIC_PATHS)
        for method, operation in item.items():
            assert (operation.get("security") == [{}]) == public, (method, path)
    assert document["paths"]["/v1/auth/login"]["post"]["security"] == [{}]
    assert document["paths"]["/v1/errors"]["get"]["security"] == [{}]


async def test_the_operations_documented_as_public_answer_without_a_token(client):
    # The document's promise checked against the server: no 401 without credentials.
    for method, path in (("GET", "/v1/errors"), ("GET", "/health"), ("POST", "/v1/auth/login")):
        response = await client.request(method, path, json={} if method == "POST" else None)
        assert response.status_code != 401, (method, path, response.text)
    assert (await client.get("/v1/me")).status_code == 401
