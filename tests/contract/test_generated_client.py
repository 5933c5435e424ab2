"""A Python client generated from openapi/gateway.json by openapi-python-client is complete and typed (issue 12,
part 3): every operation is generated, each JSON success response has its model, the non-JSON ones (feeds,
widget, CSV) their media type's type, and samples/python/generated_sample.py type-checks against it under
``mypy --strict``. The same check fails on a sample that uses the client wrongly, so a setup that checks
nothing cannot pass.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gateway.identity import oauth_errors as identity_service
from gateway.identity.schemas import OAuthErrorCode

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "gateway.json"
CONFIG = ROOT / "samples" / "python" / "openapi-python-client.yaml"
SAMPLE = ROOT / "samples" / "python" / "generated_sample.py"
PACKAGE = "asn_bengkulu_client"
METHODS = ("get", "put", "post", "delete", "patch")

Spec = dict[str, Any]


def _snake(text: str) -> str:
    """The generator's module names: its own snake_case of the tag, operationId or class name."""
    from openapi_python_client.strings import snake_case

    return str(snake_case(text))


@pytest.fixture(scope="module")
def spec() -> Spec:
    loaded: Spec = json.loads(SPEC_PATH.read_text())
    return loaded


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated package's parent directory (``<dir>/asn_bengkulu_client``)."""
    pytest.importorskip("openapi_python_client", reason="openapi-python-client is not installed (dev extras)")
    out = tmp_path_factory.mktemp("client")
    tool = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run(
        [
            str(tool) if tool.exists() else "openapi-python-client",
            "generate",
            "--path",
            str(SPEC_PATH),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(out / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # The generator goes on after a part it cannot read; a warning is a model or operation left out.
    assert "warning" not in output.lower(), output
    return out


def _return_type(module: Path) -> str:
    """The ``T`` of ``sync_detailed(...) -> Response[T]`` in a generated operation module."""
    tree = ast.parse(module.read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "sync_detailed" and node.returns is not None:
            text = ast.unparse(node.returns)
            match = re.fullmatch(r"Response\[(.*)\]", text)
            assert match is not None, text
            return match.group(1)
    raise AssertionError(f"{module}: no sync_detailed")


def _class_name(spec: Spec, ref: str) -> str:
    from openapi_python_client.strings import ClassName

    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return str(ClassName(schema.get("title", ref.rsplit("/", 1)[1]), ""))


def _expected_types(spec: Spec, op: dict[str, Any]) -> set[str]:
    """The type names the success response of ``op`` must be generated as."""
    out: set[str] = set()
    for status, response in op["responses"].items():
        if not status.startswith("2"):
            continue
        content = response.get("content", {})
        if not content:
            out.add("Any")  # how the generator types an answer without a body (204)
            continue
        media_type = sorted(content)[0]  # the generator takes the first it can read: JSON sorts first
        schema = content[media_type].get("schema", {})
        base = media_type.split(";")[0]
        if base == "application/json" or base.endswith("+json"):
            assert "$ref" in schema, f"{op['operationId']}: {media_type} without a named schema: {schema}"
            out.add(_class_name(spec, schema["$ref"]))
        else:
            assert schema.get("type") == "string", f"{op['operationId']}: {media_type} has no string schema"
            out.add("str" if base.startswith("text/") or base.endswith("+xml") else "File")
    return out


def test_every_operation_has_its_response_types(spec: Spec, generated: Path) -> None:
    api = generated / PACKAGE / "api"
    models = generated / PACKAGE / "models"
    missing: list[str] = []
    for path, item in sorted(spec["paths"].items()):
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            module = api / _snake(op["tags"][0]) / f"{_snake(op['operationId'])}.py"
            where = f"{method.upper()} {path} ({op['operationId']})"
            if not module.exists():
                missing.append(f"{where}: no module {module.relative_to(generated)}")
                continue
            returned = set(re.split(r"\s*\|\s*", _return_type(module)))
            for name in sorted(_expected_types(spec, op) - returned):
                missing.append(f"{where}: returns {' | '.join(sorted(returned))}, not {name}")
            for name in returned - {"None", "str", "File", "Any"}:
                if not (models / f"{_snake(name)}.py").exists():
                    missing.append(f"{where}: model {name} was not generated")
    assert not missing, "\n".join(missing)


def test_renamed_schemas_keep_their_own_models(spec: Spec, generated: Path) -> None:
    """The gateway prefixes a schema two services define differently; each must stay its own model."""
    schemas = spec["components"]["schemas"]
    for service in ("Kinerja", "Pelatihan", "Publik"):
        for name, schema in schemas.items():
            if name.startswith(service) and name.removeprefix(service) in schemas:
                assert schema.get("title", name) == name, f"{name} still titled {schema.get('title')}"
    assert (generated / PACKAGE / "models" / "pelatihan_compliance_report.py").exists()


def _mypy(generated: Path, program: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(generated)}
    cache = generated / ".mypy_cache"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            os.devnull,
            "--cache-dir",
            str(cache),
            str(program),
        ],
        cwd=generated,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_python_sample_typechecks_against_the_generated_client(generated: Path) -> None:
    done = _mypy(generated, SAMPLE)
    assert done.returncode == 0, f"mypy --strict on {SAMPLE.name}:\n{done.stdout}{done.stderr}"


def test_the_typecheck_catches_a_wrong_program(generated: Path, tmp_path: Path) -> None:
    """A wrong grant type, a wrong feed kind and a Problem without request_id are type errors."""
    wrong = tmp_path / "wrong.py"
    shutil.copy(SAMPLE, wrong)
    text = wrong.read_text()
    for old, new in [
        ("grant_type=GrantType.PASSWORD", 'grant_type="pasword"'),
        ("kinds: list[FeedKind] = [item.kind", "kinds: list[FeedKind] = [item.period"),
        ("(request {parsed.request_id})", "(request {parsed.request})"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    wrong.write_text(text)
    done = _mypy(generated, wrong)
    assert done.returncode != 0
    for needle in ('"grant_type" to "TokenForm"', "expected List[FeedKind]", 'maybe "request_id"'):
        assert needle in done.stdout, (needle, done.stdout)


def test_the_oauth_error_enum_names_every_error_the_token_endpoint_sends() -> None:
    sent = {cls.error for cls in _subclasses(identity_service.OAuthError)} | {
        identity_service.OAuthError.error
    }
    assert sent <= {code.value for code in OAuthErrorCode}, sent - {code.value for code in OAuthErrorCode}


def _subclasses(cls: type[Any]) -> set[type[Any]]:
    out: set[type[Any]] = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out
