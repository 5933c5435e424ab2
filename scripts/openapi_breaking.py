"""Find breaking changes between the previous committed openapi/gateway.json and the current one.

    python scripts/openapi_breaking.py                 compare with the previous spec (see below)
    python scripts/openapi_breaking.py --base origin/main   compare with the spec at a git revision

Breaking, for a client generated from the old spec (paths are matched with their parameters unnamed, so
renaming a path parameter is not a change: the URL and a generated client's call stay the same):
- a removed path, a removed operation, a removed success status;
- a removed response field, or a response field whose type widens (a new type, or null where there was none);
- a request field, parameter or body that becomes required; a request type that no longer accepts what it did;
- a removed enum value.

A breaking change passes only when docs/api-changelog.md has a bullet that names it: the word ``BREAKING``,
the path exactly as in the spec, the method for anything but a removed path, and the field name for a field
change. For example::

    - BREAKING: GET /kinerja/v1/employees/{nip} response field `rank` removed; read `grade` instead.

The previous spec is, unless ``--base`` names a revision:
- with uncommitted changes to the spec, the committed one (``HEAD:openapi/gateway.json``);
- otherwise the one before the last commit that changed it (its parent's version), which is what CI sees.
Without that history (a shallow clone, the first commit, no git) there is nothing to compare: the script says
why and exits 0; the test skips with the same reason.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = "openapi/gateway.json"
CHANGELOG = ROOT / "docs" / "api-changelog.md"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

Spec = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One breaking change; ``method`` is None for a removed path, ``field`` names the field if any."""

    path: str
    method: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.method} {self.path}" if self.method else self.path
        return f"{where}: {self.message}"


# ----------------------------------------------------------------------------------------------- schemas


def _resolve(spec: Spec, node: Any) -> Any:
    for _ in range(20):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
    return node


def _branches(spec: Spec, schema: Any) -> list[dict[str, Any]]:
    """The alternatives of a schema (anyOf/oneOf flattened), each resolved."""
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict):
        return []
    alts = schema.get("anyOf") or schema.get("oneOf")
    if alts:
        out: list[dict[str, Any]] = []
        for alt in alts:
            out.extend(_branches(spec, alt))
        return out
    return [schema]


def _types(spec: Spec, schema: Any) -> set[str]:
    """The JSON types a schema admits ("any" when it does not say)."""
    found: set[str] = set()
    for branch in _branches(spec, schema):
        declared = branch.get("type")
        if isinstance(declared, list):
            found.update(declared)
        elif isinstance(declared, str):
            found.add(declared)
        elif "properties" in branch:
            found.add("object")
        elif "const" in branch or "enum" in branch:
            values = [branch["const"]] if "const" in branch else list(branch["enum"])
            found.update(_JSON_TYPES.get(type(v), "any") for v in values)
        else:
            found.add("any")
    return found


_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}


def _object(spec: Spec, schema: Any) -> dict[str, Any] | None:
    """The (single) object alternative of a schema, if it has one with properties."""
    objects = [b for b in _branches(spec, schema) if "properties" in b]
    return objects[0] if len(objects) == 1 else None


def _items(spec: Spec, schema: Any) -> Any:
    arrays = [b for b in _branches(spec, schema) if b.get("type") == "array" and "items" in b]
    return arrays[0]["items"] if len(arrays) == 1 else None


def _enum(spec: Spec, schema: Any) -> set[Any] | None:
    values: set[Any] = set()
    for branch in _branches(spec, schema):
        if "enum" in branch:
            values.update(json.dumps(v) for v in branch["enum"])
        elif branch.get("type") != "null":
            return None
    return values or None


def _widened(old: set[str], new: set[str]) -> set[str]:
    """Types in ``new`` that ``old`` did not admit (an integer is a number; "any" admits everything)."""
    if "any" in old:
        return set()
    if "number" in old:
        new = new - {"integer"}
    return new - old


def compare_schemas(
    old_spec: Spec, new_spec: Spec, old: Any, new: Any, *, response: bool, pointer: str = "", depth: int = 0
) -> Iterator[tuple[str, str]]:
    """(field pointer, message) for each breaking difference. ``response``: the server sends this (fields
    must not disappear or widen); otherwise the client sends it (nothing new may become required, and
    what was accepted must still be)."""
    if depth > 12 or old is None or new is None:
        return
    old_types, new_types = _types(old_spec, old), _types(new_spec, new)
    if response:
        widened = _widened(old_types, new_types)
        if widened:
            yield pointer, f"type changed from {sorted(old_types)} to {sorted(new_types)}"
            return
    else:
        narrowed = _widened(new_types, old_types)
        if narrowed:
            yield pointer, f"type changed from {sorted(old_types)} to {sorted(new_types)}"
            return
    old_enum, new_enum = _enum(old_spec, old), _enum(new_spec, new)
    if old_enum and new_enum and old_enum - new_enum and not response:
        # New values in a response are an extension (api-contract: extend freely); a value the server no
        # longer accepts breaks clients that send it.
        yield pointer, f"enum values no longer accepted: {', '.join(sorted(old_enum - new_enum))}"
    if old_enum is None and new_enum and not response:
        yield pointer, f"now limited to {', '.join(sorted(new_enum))}"
    old_obj, new_obj = _object(old_spec, old), _object(new_spec, new)
    if old_obj is not None and new_obj is not None:
        old_props, new_props = old_obj.get("properties", {}), new_obj.get("properties", {})
        old_required, new_required = set(old_obj.get("required", [])), set(new_obj.get("required", []))
        for name in sorted(old_props):
            child = f"{pointer}.{name}" if pointer else name
            if name not in new_props:
                if response:
                    yield child, "response field removed"
                continue
            yield from compare_schemas(
                old_spec,
                new_spec,
                old_props[name],
                new_props[name],
                response=response,
                pointer=child,
                depth=depth + 1,
            )
        if not response:
            for name in sorted(new_required - old_required):
                child = f"{pointer}.{name}" if pointer else name
                yield (
                    child,
                    "request field is now required" if name in old_props else "new required request field",
                )
    old_items, new_items = _items(old_spec, old), _items(new_spec, new)
    if old_items is not None and new_items is not None:
        yield from compare_schemas(
            old_spec,
            new_spec,
            old_items,
            new_items,
            response=response,
            pointer=f"{pointer}[]",
            depth=depth + 1,
        )


# -------------------------------------------------------------------------------------------- operations


def _json_media(content: dict[str, Any]) -> dict[str, Any] | None:
    for media_type, media in content.items():
        base = media_type.split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return dict(media)
    return None


_TEMPLATE_PARAM = re.compile(r"\{([^}]*)\}")


def path_shape(path: str) -> str:
    """The path with its parameters unnamed (``/v1/calendar/{}``): what a client actually requests. Renaming
    a path parameter changes neither the URL nor a generated client's call, so paths are matched on this."""
    return _TEMPLATE_PARAM.sub("{}", path)


def _params(
    spec: Spec, op: dict[str, Any], item: dict[str, Any], path: str
) -> dict[tuple[str, str], dict[str, Any]]:
    """Parameters keyed by (in, name), except path parameters, keyed by their position in the path."""
    positions = {name: f"#{i}" for i, name in enumerate(_TEMPLATE_PARAM.findall(path))}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
        param = _resolve(spec, raw)
        where, name = param.get("in", ""), param.get("name", "")
        out[(where, positions.get(name, name) if where == "path" else name)] = param
    return out


def _compare_operation(
    old_spec: Spec,
    new_spec: Spec,
    path: str,
    method: str,
    old_item: dict[str, Any],
    new_item: dict[str, Any],
    new_path: str | None = None,
) -> Iterator[Change]:
    old, new = old_item[method], new_item[method]
    verb = method.upper()

    old_params = _params(old_spec, old, old_item, path)
    new_params = _params(new_spec, new, new_item, new_path or path)
    for key, param in sorted(new_params.items()):
        was = old_params.get(key)
        name = str(param.get("name", key[1]))
        if param.get("required") and not (was and was.get("required")):
            yield Change(path, verb, name, f"{key[0]} parameter `{name}` is now required")
        if was is not None:
            for where, message in compare_schemas(
                old_spec, new_spec, was.get("schema"), param.get("schema"), response=False
            ):
                yield Change(
                    path, verb, name, f"{key[0]} parameter `{name}`{where and ' ' + where}: {message}"
                )

    old_body, new_body = (
        _resolve(old_spec, old.get("requestBody")),
        _resolve(new_spec, new.get("requestBody")),
    )
    if (
        isinstance(new_body, dict)
        and new_body.get("required")
        and not (isinstance(old_body, dict) and old_body.get("required"))
    ):
        yield Change(path, verb, None, "a request body is now required")
    if isinstance(old_body, dict) and isinstance(new_body, dict):
        for media_type in sorted(old_body.get("content", {})):
            if media_type not in new_body.get("content", {}):
                yield Change(path, verb, None, f"request body {media_type} is no longer accepted")
                continue
            old_schema = old_body["content"][media_type].get("schema")
            new_schema = new_body["content"][media_type].get("schema")
            for where, message in compare_schemas(old_spec, new_spec, old_schema, new_schema, response=False):
                yield Change(
                    path, verb, where.split(".")[-1].rstrip("[]") or None, f"request `{where}`: {message}"
                )

    old_responses, new_responses = old.get("responses", {}), new.get("responses", {})
    for status in sorted(old_responses):
        if not str(status).startswith("2"):
            continue
        if status not in new_responses:
            yield Change(path, verb, None, f"success response {status} removed")
            continue
        old_media = _json_media(_resolve(old_spec, old_responses[status]).get("content", {}))
        new_media = _json_media(_resolve(new_spec, new_responses[status]).get("content", {}))
        if old_media is None:
            continue
        if new_media is None:
            yield Change(path, verb, None, f"response {status} is no longer JSON")
            continue
        for where, message in compare_schemas(
            old_spec, new_spec, old_media.get("schema"), new_media.get("schema"), response=True
        ):
            field = where.split(".")[-1].rstrip("[]") or None
            yield Change(path, verb, field, f"response {status} `{where or '(body)'}`: {message}")


def breaking_changes(old: Spec, new: Spec) -> list[Change]:
    """Every breaking change from ``old`` to ``new``. A path is matched by its shape (``path_shape``), so
    a renamed path parameter is no change; its operations then are matched method by method."""
    out: list[Change] = []
    old_paths, new_paths = old.get("paths", {}), new.get("paths", {})
    by_shape: dict[str, list[str]] = {}
    for candidate in sorted(new_paths):
        by_shape.setdefault(path_shape(candidate), []).append(candidate)
    for path in sorted(old_paths):
        same = [path] if path in new_paths else by_shape.get(path_shape(path), [])
        if not same:
            out.append(Change(path, None, None, "path removed"))
            continue
        for method in METHODS:
            if method not in old_paths[path]:
                continue
            now = next((p for p in same if method in new_paths[p]), None)
            if now is None:
                out.append(Change(path, method.upper(), None, "operation removed"))
                continue
            out.extend(_compare_operation(old, new, path, method, old_paths[path], new_paths[now], now))
    return out


# --------------------------------------------------------------------------------------------- changelog


def changelog_bullets(text: str) -> list[str]:
    """The bullet lines of the change log (``-`` or ``*``), continuation lines joined."""
    bullets: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^[-*] ", stripped):
            bullets.append(stripped[2:])
        elif bullets and stripped and line.startswith((" ", "\t")):
            bullets[-1] += " " + stripped
    return bullets


def _names_path(bullet: str, path: str) -> bool:
    """The path appears as a whole (``/kinerja/v1/employees`` is not named by ``.../employees/{nip}``)."""
    # A trailing "." ends a sentence; ".json" continues the path.
    return re.search(rf"(?<![\w/{{}}.-]){re.escape(path)}(?![\w/{{}}-]|\.\w)", bullet) is not None


def acknowledged(change: Change, bullets: Sequence[str]) -> bool:
    """A bullet says BREAKING and names the path, the method (unless the whole path went) and the field."""
    for bullet in bullets:
        if "BREAKING" not in bullet or not _names_path(bullet, change.path):
            continue
        if change.method and not re.search(rf"\b{change.method}\b", bullet):
            continue
        if change.field and change.field not in bullet:
            continue
        return True
    return False


def unacknowledged(changes: Sequence[Change], changelog_text: str) -> list[Change]:
    bullets = changelog_bullets(changelog_text)
    return [c for c in changes if not acknowledged(c, bullets)]


# ------------------------------------------------------------------------------------ the previous spec


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def previous_spec(
    root: Path = ROOT, base: str | None = None, spec_path: str = SPEC_PATH
) -> tuple[Spec | None, str]:
    """(the previous spec or None, where it came from or why there is none)."""
    if _git(["rev-parse", "--git-dir"], root) is None:
        return None, "not a git checkout (or git is missing)"
    if base is not None:
        text = _git(["show", f"{base}:{spec_path}"], root)
        return (
            (json.loads(text), f"{base}:{spec_path}") if text else (None, f"{spec_path} not found at {base}")
        )
    committed = _git(["show", f"HEAD:{spec_path}"], root)
    if committed is None:
        return None, f"{spec_path} is not committed yet"
    current = root / spec_path
    if current.exists() and json.loads(current.read_text()) != json.loads(committed):
        return json.loads(committed), f"HEAD:{spec_path} (the working file has uncommitted changes)"
    last = (_git(["log", "-1", "--format=%H", "--", spec_path], root) or "").strip()
    if not last:
        return None, f"no commit that changed {spec_path} is in the history"
    shallow = (_git(["rev-parse", "--is-shallow-repository"], root) or "").strip() == "true"
    parent = (_git(["rev-parse", "--verify", "--quiet", f"{last}^"], root) or "").strip()
    if not parent:
        why = "the history is shallow" if shallow else "it is the first commit"
        return None, f"no spec before {last[:12]}, the last commit that changed {spec_path} ({why})"
    text = _git(["show", f"{parent}:{spec_path}"], root)
    if text is None:
        return None, f"{spec_path} did not exist before {last[:12]} (it was added there)"
    return json.loads(
        text
    ), f"{parent[:12]}:{spec_path} (before {last[:12]}, the last commit that changed it)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", help="a git revision whose spec is the previous one (default: see above)")
    parser.add_argument("--spec", type=Path, default=ROOT / SPEC_PATH, help="the current spec")
    parser.add_argument("--changelog", type=Path, default=CHANGELOG)
    args = parser.parse_args(argv)
    old, source = previous_spec(base=args.base)
    if old is None:
        sys.stdout.write(f"skipped: no previous spec to compare with: {source}\n")
        return 0
    changes = breaking_changes(old, json.loads(args.spec.read_text()))
    text = args.changelog.read_text() if args.changelog.exists() else ""
    missing = unacknowledged(changes, text)
    for change in changes:
        mark = "MISSING" if change in missing else "listed "
        sys.stdout.write(f"{mark} {change}\n")
    sys.stdout.write(
        f"{len(changes)} breaking change(s) against {source}; {len(missing)} not in {args.changelog.name}\n"
    )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
