"""Export the OpenAPI of every app to openapi/<app>.json (sorted keys, 2-space indent, trailing newline).

    python scripts/export_openapi.py          write the files (commit them)
    python scripts/export_openapi.py --check  exit 1 and name the files that differ from the code

The service specs come from each ``create_app(settings).openapi()``; nothing connects while an app is
built, so dummy settings are enough. ``gateway.json`` is the merged spec the gateway serves: its own routes
plus every service's under its ``/kinerja`` (etc.) prefix.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

OUT_DIR = ROOT / "openapi"
# Construction never connects or parses keys; these only satisfy "a database and a key are configured".
_DUMMY: dict[str, Any] = {
    "environment": "development",
    "database_url": "postgresql://openapi-export.invalid:5432/unused",
    "jwt_public_keys_pem": "-----BEGIN PUBLIC KEY-----\nunused\n-----END PUBLIC KEY-----\n",
}

Spec = dict[str, Any]


def _service_factories() -> dict[str, tuple[Callable[..., Any], type[Any]]]:
    from services.kinerja_api.config import KinerjaSettings
    from services.kinerja_api.main import create_app as kinerja_app
    from services.pelatihan_api.config import PelatihanSettings
    from services.pelatihan_api.main import create_app as pelatihan_app
    from services.publik_api.config import PublikSettings
    from services.publik_api.main import create_app as publik_app

    return {
        "kinerja": (kinerja_app, KinerjaSettings),
        "pelatihan": (pelatihan_app, PelatihanSettings),
        "publik": (publik_app, PublikSettings),
    }


def service_specs() -> dict[str, Spec]:
    """The OpenAPI of each service, straight from its app factory."""
    specs: dict[str, Spec] = {}
    for name, (factory, settings_cls) in _service_factories().items():
        spec: Spec = factory(settings_cls(**_DUMMY)).openapi()
        specs[name] = spec
    return specs


def gateway_unavailable() -> str | None:
    """Why the gateway app cannot be built yet (a module it imports does not exist), or None."""
    try:
        import gateway.main  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == "gateway" or exc.name.startswith("gateway.")):
            return f"gateway.main cannot be imported yet: no module {exc.name!r}"
        raise
    return None


def _gateway_app() -> FastAPI:
    from gateway.config import GatewaySettings
    from gateway.main import create_app

    return create_app(GatewaySettings(**{k: v for k, v in _DUMMY.items() if k != "jwt_public_keys_pem"}))


def gateway_spec(services: dict[str, Spec]) -> Spec:
    """The merged spec the gateway serves at /openapi.json."""
    from gateway.openapi import merge_specs

    return merge_specs(_gateway_app().openapi(), services)


def placeholder_apps() -> dict[str, FastAPI]:
    """The four apps as their factories build them with these placeholder settings (nothing connects): for
    what needs the apps' routes without running them (tests/common/test_routing.py, bench.routing)."""
    apps = {name: factory(settings(**_DUMMY)) for name, (factory, settings) in _service_factories().items()}
    apps["gateway"] = _gateway_app()
    return apps


def build_specs() -> tuple[dict[str, Spec], str | None]:
    """Every exportable spec by app name, and why the gateway's was left out (None when it was not)."""
    specs = service_specs()
    reason = gateway_unavailable()
    out = dict(specs)
    if reason is None:
        out["gateway"] = gateway_spec(specs)
    return out, reason


def render(spec: Spec) -> str:
    """The committed form: stable across runs, so diffs show real contract changes only."""
    return json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def stale_files(specs: dict[str, Spec], out_dir: Path = OUT_DIR) -> dict[str, str]:
    """File name -> a short unified diff, for every file that differs from the code (or is missing)."""
    stale: dict[str, str] = {}
    for name, spec in sorted(specs.items()):
        path = out_dir / f"{name}.json"
        want = render(spec)
        have = path.read_text() if path.exists() else ""
        if have != want:
            diff = difflib.unified_diff(
                have.splitlines(),
                want.splitlines(),
                f"{path.name} (committed)",
                f"{path.name} (code)",
                lineterm="",
            )
            stale[path.name] = "\n".join(list(diff)[:40])
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on drift")
    args = parser.parse_args(argv)
    specs, reason = build_specs()
    if reason:
        print(f"warning: gateway.json skipped: {reason}", file=sys.stderr)
    if args.check:
        stale = stale_files(specs)
        for name, diff in stale.items():
            print(f"openapi/{name} differs from the code:\n{diff}\n")
        if stale:
            print(f"{len(stale)} file(s) out of date: run `make openapi` and commit the result")
            return 1
        print(f"openapi/ is up to date ({', '.join(sorted(specs))})")
        return 0
    OUT_DIR.mkdir(exist_ok=True)
    for name, spec in sorted(specs.items()):
        path = OUT_DIR / f"{name}.json"
        text = render(spec)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
