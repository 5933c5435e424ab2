"""The committed openapi/*.json match the code, and the merged spec is valid OpenAPI.

When this fails, run `make openapi` and commit the files: they are the contract integrators build on.
"""

from __future__ import annotations

from typing import Any

import openapi_spec_validator
import pytest

from scripts import export_openapi
from services.common.apps import APP_NAMES, SERVICE_NAMES


@pytest.fixture(scope="module")
def built() -> tuple[dict[str, dict[str, Any]], str | None]:
    """Every app's spec; a spec that cannot be built fails the checks (a skip would pass without checking)."""
    specs, gateway_reason = export_openapi.build_specs()
    require_every_spec(specs, gateway_reason)
    return specs, gateway_reason


def require_every_spec(specs: dict[str, dict[str, Any]], reason: str | None) -> None:
    """Fail (never skip) when an app's spec is missing."""
    missing = [app for app in APP_NAMES if app not in specs]
    if missing:
        pytest.fail(f"cannot build the {', '.join(missing)} spec: {reason}")


def test_a_spec_that_cannot_be_built_fails() -> None:
    with pytest.raises(pytest.fail.Exception, match="cannot build the gateway spec: no module"):
        require_every_spec({"kinerja": {}, "pelatihan": {}, "publik": {}}, "no module 'gateway.x'")


@pytest.mark.parametrize("app", APP_NAMES)
def test_committed_spec_matches_code(app: str, built: tuple[dict[str, dict[str, Any]], str | None]) -> None:
    specs, _ = built
    stale = export_openapi.stale_files({app: specs[app]})
    assert not stale, (
        f"openapi/{app}.json differs from the code: run `make openapi`\n{stale.get(app + '.json')}"
    )


def test_export_is_stable(built: tuple[dict[str, dict[str, Any]], str | None]) -> None:
    """Two builds give the same bytes (no timestamps, no set ordering), or the drift test would flap."""
    again, _ = export_openapi.build_specs()
    first, _ = built
    assert {k: export_openapi.render(v) for k, v in first.items()} == {
        k: export_openapi.render(v) for k, v in again.items()
    }


def test_operation_ids_are_unique_and_internal_paths_hidden(
    built: tuple[dict[str, dict[str, Any]], str | None],
) -> None:
    specs, _ = built
    merged = specs["gateway"]
    seen: dict[str, str] = {}
    for path, item in merged["paths"].items():
        assert "/internal/" not in path, f"{path} would advertise a route the gateway never forwards"
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                assert op["operationId"] not in seen, (
                    f"{op['operationId']} on {path} and {seen[op['operationId']]}"
                )
                seen[op["operationId"]] = f"{method.upper()} {path}"
    for svc in SERVICE_NAMES:
        assert f"/{svc}/healthz" in merged["paths"]


@pytest.mark.parametrize("app", APP_NAMES)
def test_spec_is_valid_openapi(app: str, built: tuple[dict[str, dict[str, Any]], str | None]) -> None:
    specs, _ = built
    openapi_spec_validator.validate(specs[app])
