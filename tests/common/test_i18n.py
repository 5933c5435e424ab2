"""Problems in Bahasa Indonesia: Accept-Language negotiation, the renderer, every app's catalogue complete
(every template and problem type the code uses has its Indonesian entry), no problem raised with a bare
English literal, and docs/errors.md generated from the catalogues (issue 12, item 6)."""

from __future__ import annotations

import ast
import copy
import pickle
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from gateway.messages import MESSAGES as GATEWAY
from scripts import export_errors
from services.common.errors import NotFound, ProblemError, install_problem_handlers, problem_responses
from services.common.i18n import Catalogue, Message, ProblemType, joined, message_of, msg, negotiate
from services.common.messages import COMMON
from services.common.middleware import EdgeMiddleware
from services.kinerja_api.messages import MESSAGES as KINERJA
from services.pelatihan_api.messages import MESSAGES as PELATIHAN
from services.publik_api.messages import MESSAGES as PUBLIK

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES: dict[str, Catalogue] = {
    "services/common": COMMON,
    "gateway": GATEWAY,
    "services/kinerja_api": KINERJA,
    "services/pelatihan_api": PELATIHAN,
    "services/publik_api": PUBLIK,
}
# Files whose raise sites are converted in a later commit of this change (kinerja last, so it merges
# around concurrent kinerja work); the list empties when they are.
PENDING: set[str] = set()
# Catalogue entries that no msg() call spells: Starlette's own details for unknown paths and methods.
FRAMEWORK_TEXTS = {"Not Found", "Method Not Allowed"}


# --- Accept-Language ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("id", "id"),
        ("ID", "id"),
        ("id-ID", "id"),
        ("id-Latn-ID", "id"),
        ("in-ID", "id"),  # Java's Locale still sends the withdrawn code
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("id;q=0.9,en;q=0.8", "id"),
        ("en;q=0.8,id;q=0.9", "id"),
        ("id;q=0.5,en", "en"),
        ("id,en", "id"),  # a tie goes to the language listed first
        ("en,id", "en"),
        ("*", "en"),
        ("fr,*;q=0.5", "en"),
        ("fr,id;q=0.3,*;q=0.5", "en"),  # * (0.5) reaches English, which beats id at 0.3
        ("fr", "en"),
        ("id;q=0", "en"),
        ("en;q=0,*", "id"),  # English refused, anything else welcome
        ("*;q=0.5,id;q=0.5", "id"),  # a language named explicitly beats one reached through *
        ("id-ID;q=0.9,id;q=0.1,en;q=0.5", "id"),  # the most specific range decides id's weight
        ("id;q=2,en;q=0.5", "en"),  # an invalid weight makes the range void, not the best
        ("id;q=abc", "en"),
        ("jv, id ; q = 0.7 , en;q=0.6", "id"),
        ("ms-MY,ms;q=0.9", "en"),  # Malay is not Indonesian
        ("i$d,id;q=0.2", "id"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


# --- messages and catalogues ---------------------------------------------------------------------------

_T = Catalogue(
    "t",
    {
        "thing-missing": ProblemType(
            "thing-missing", 404, "Thing not found", "Barang tidak ditemukan", "m", "a"
        )
    },
    {
        "No thing {id}": "Barang {id} tidak ditemukan",
        "reason {n}": "alasan {n}",
        "Why: {why}.": "Sebab: {why}.",
    },
    base=COMMON,
)


def test_a_message_is_its_english_text() -> None:
    m = msg("No thing {id}", id=7)
    assert m == "No thing 7"
    assert isinstance(m, str)
    assert f"{m}!" == "No thing 7!"
    assert (m.template, m.params) == ("No thing {id}", {"id": 7})
    for clone in (copy.copy(m), copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone, Message)
        assert clone.template == "No thing {id}"
    assert message_of(NotFound(m)) is m
    assert message_of(ValueError("plain")) == "plain"


def test_translation_falls_back_to_english() -> None:
    assert _T.detail(msg("No thing {id}", id=7), "id") == "Barang 7 tidak ditemukan"
    assert _T.detail(msg("No thing {id}", id=7), "en") == "No thing 7"
    assert _T.detail(msg("Never catalogued {x}", x=1), "id") == "Never catalogued 1"
    assert _T.detail("Not Found", "id") == "Tidak ditemukan"  # plain text equal to a parameterless template
    assert _T.detail("free text", "id") == "free text"
    nested = msg("Why: {why}.", why=joined("; ", [msg("reason {n}", n=1), msg("reason {n}", n=2), "raw"]))
    assert nested == "Why: reason 1; reason 2; raw."
    assert _T.detail(nested, "id") == "Sebab: alasan 1; alasan 2; raw."
    assert _T.title("thing-missing", 404, "id") == "Barang tidak ditemukan"
    assert _T.title("not-found", 404, "id") == "Tidak ditemukan"  # from the base catalogue
    assert _T.title("unheard-of", 404, "id") is None


# --- the renderer through an app ------------------------------------------------------------------------


class Thing(BaseModel):
    """A body with a constraint, for 422."""

    name: str = Field(min_length=1)


class ThingMissing(ProblemError):
    status, slug = 404, "thing-missing"


_router = APIRouter()


@_router.get("/things/{n}", responses=problem_responses(404))
async def _get_thing(n: int) -> dict[str, int]:
    raise ThingMissing(msg("No thing {id}", id=n))


@_router.get("/raw", responses=problem_responses(409))
async def _raw() -> dict[str, int]:
    raise ProblemError(msg("Not in any catalogue {x}", x=1), status=409, slug="conflict")


@_router.post("/things")
async def _post_thing(thing: Thing) -> Thing:
    return thing


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(_router)
    app.add_middleware(EdgeMiddleware, max_body_bytes=64, access_log=False, catalogue=_T)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


ID = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"}


async def test_a_domain_problem_in_both_languages(client: httpx.AsyncClient) -> None:
    en = await client.get("/things/3")
    assert en.status_code == 404
    assert (en.json()["title"], en.json()["detail"]) == ("Thing not found", "No thing 3")
    assert en.headers["content-language"] == "en"
    assert "accept-language" in en.headers["vary"].lower()
    id_ = await client.get("/things/3", headers=ID)
    assert id_.status_code == 404
    body = id_.json()
    assert (body["title"], body["detail"]) == ("Barang tidak ditemukan", "Barang 3 tidak ditemukan")
    assert body["type"] == en.json()["type"]  # the type never changes with the language
    assert id_.headers["content-language"] == "id"
    assert id_.headers["content-type"] == "application/problem+json"


async def test_unknown_templates_stay_english_under_an_indonesian_title(client: httpx.AsyncClient) -> None:
    r = await client.get("/raw", headers=ID)
    assert (r.json()["title"], r.json()["detail"]) == (
        "Bertentangan dengan keadaan data",
        "Not in any catalogue 1",
    )


async def test_validation_and_edge_problems_in_indonesian(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", json={"name": ""}, headers=ID)
    assert r.status_code == 422
    body = r.json()
    assert body["title"] == "Permintaan tidak valid"
    assert body["detail"] == "Permintaan tidak valid; lihat daftar errors."
    assert body["errors"][0]["loc"] == ["body", "name"]  # locations never change
    assert r.headers["content-language"] == "id"
    big = await client.post("/things", content=b"x" * 100, headers={**ID, "Content-Type": "application/json"})
    assert big.status_code == 413
    assert (big.json()["title"], big.json()["detail"]) == (
        "Isi permintaan terlalu besar",
        "Isi permintaan melebihi 64 bita.",
    )
    assert big.headers["content-language"] == "id"
    missing = await client.get("/nowhere", headers=ID)
    assert (missing.status_code, missing.json()["title"], missing.json()["detail"]) == (
        404,
        "Tidak ditemukan",
        "Tidak ditemukan",
    )
    english = await client.get("/nowhere", headers={"Accept-Language": "*"})
    assert english.json()["detail"] == "Not Found"
    assert english.headers["content-language"] == "en"


# --- completeness, read from the code -------------------------------------------------------------------


def _files() -> Iterator[tuple[str, Path]]:
    for base in ("services", "gateway"):
        for path in sorted((ROOT / base).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            yield rel, path


def _catalogue_of(rel: str) -> Catalogue:
    for prefix, catalogue in sorted(CATALOGUES.items(), key=lambda kv: -len(kv[0])):
        if rel.startswith(prefix + "/"):
            return catalogue
    raise AssertionError(f"{rel} belongs to no app catalogue")


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _problem_classes() -> set[str]:
    bases: dict[str, set[str]] = {}
    for _, path in _files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(filter(None, (_name(b) for b in node.bases)))
    found = {"ProblemError"}
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return found


def _literal_text(node: ast.expr | None, constants: set[str]) -> bool:
    """English written in place: a string, an f-string, a concatenation holding one, or a module constant
    bound to a string."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left, constants) or _literal_text(node.right, constants)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body, constants) or _literal_text(node.orelse, constants)
    return False


def _string_constants(tree: ast.Module) -> set[str]:
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_detail(name: str | None, problem_call: bool = True) -> bool:
    """A parameter carrying a problem's detail: ``detail``/``title`` of a problem (not ``ServiceSpec(title=)``)
    and any ``*_detail`` (``check_if_match(stale_detail=...)``)."""
    return name is not None and ((problem_call and name in ("detail", "title")) or name.endswith("_detail"))


# Pure-ASGI helpers that render a problem from a detail, with the detail's position.
_DETAIL_AT = {"send_problem": 2, "_send_problem": 2, "_too_many": 2, "problem_bytes": 1, "_bad": 1}


def test_every_problem_detail_is_a_translatable_message() -> None:
    problems = _problem_classes()
    offenders: list[str] = []
    for rel, path in _files():
        if rel in PENDING:
            continue
        tree = ast.parse(path.read_text())
        constants = _string_constants(tree)
        for node in ast.walk(tree):
            details: list[ast.expr | None] = []
            if isinstance(node, ast.Call):
                name = _name(node.func)
                position = 0 if name in problems else _DETAIL_AT.get(name or "")
                if position is not None and len(node.args) > position:
                    details.append(node.args[position])
                problem_call = position is not None or name in ("problem_response", "require_if_match")
                details += [kw.value for kw in node.keywords if _is_detail(kw.arg, problem_call)]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                # A default detail (``detail: str = "..."``) is raised as much as a literal at a call.
                params = [*node.args.posonlyargs, *node.args.args]
                defaults: dict[ast.arg, ast.expr | None] = dict(
                    zip(reversed(params), reversed(node.args.defaults), strict=False)
                )
                defaults.update(zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True))
                details += [value for arg, value in defaults.items() if _is_detail(arg.arg)]
            line = getattr(node, "lineno", 0)
            offenders += [f"{rel}:{line}" for d in details if _literal_text(d, constants)]
    assert not offenders, f"problems raised with English literals instead of msg(...): {offenders}"


def _templates() -> Iterator[tuple[str, int, str]]:
    for rel, path in _files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _name(node.func) == "msg" and node.args:
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{rel}:{node.lineno}: msg() takes a literal template"
                assert isinstance(first.value, str), f"{rel}:{node.lineno}"
                yield rel, node.lineno, first.value


def test_every_template_has_its_indonesian_entry() -> None:
    missing = [
        f"{rel}:{line}: {text!r}"
        for rel, line, text in _templates()
        if rel not in PENDING and _catalogue_of(rel).indonesian(text) is None
    ]
    assert not missing, "templates with no Indonesian entry in their app's messages.py:\n" + "\n".join(
        missing
    )


def test_catalogue_entries_are_used_and_keep_their_parameters() -> None:
    from services.common.i18n import template_fields

    used = {text for _, _, text in _templates()} | FRAMEWORK_TEXTS
    for catalogue in CATALOGUES.values():
        for english, indonesian in catalogue.messages.items():
            assert english in used, f"{catalogue.app}: {english!r} is in no msg() call (stale entry)"
            assert indonesian.strip(), english
            words = re.sub(r"\{[^}]*\}", "", english)
            if any(c.isalpha() for c in words):  # "{service}: {detail}" has no words to translate
                assert indonesian != english, f"{catalogue.app}: {english!r} is not translated"
            assert template_fields(indonesian) == template_fields(english), english
            msg(indonesian, **dict.fromkeys(template_fields(english), 1))  # formats cleanly


def _declared_slugs() -> Iterator[tuple[str, int, str]]:
    for rel, path in _files():
        for node in ast.walk(ast.parse(path.read_text())):
            values: list[ast.expr] = []
            if isinstance(node, ast.keyword) and node.arg == "slug":
                values = [node.value]
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == "slug":
                        values.append(node.value)
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        values += [
                            v
                            for t, v in zip(target.elts, node.value.elts, strict=False)
                            if isinstance(t, ast.Name) and t.id == "slug"
                        ]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                    yield rel, value.lineno, value.value


def test_every_problem_type_in_the_code_is_catalogued_in_both_languages() -> None:
    missing = [
        f"{rel}:{line}: {slug}"
        for rel, line, slug in _declared_slugs()
        if _catalogue_of(rel).problem_type(slug) is None
    ]
    assert not missing, "problem types missing from their app's messages.py:\n" + "\n".join(missing)
    for catalogue in CATALOGUES.values():
        for t in catalogue.all_types().values():
            assert t.title_id.strip(), t.slug
            assert t.title_id != t.title, t.slug
            assert t.meaning.strip(), t.slug
            assert t.action.strip(), t.slug


def test_problem_classes_match_their_catalogued_status() -> None:
    import services.kinerja_api.main
    import services.pelatihan_api.main
    import services.publik_api.main  # noqa: F401  (every app's problem classes, imported)

    def subclasses(cls: type[ProblemError]) -> Iterator[type[ProblemError]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(ProblemError):
        rel = cls.__module__.replace(".", "/") + ".py"
        if not rel.startswith(("services/", "gateway/")):
            continue  # a test's own class
        declared = _catalogue_of(rel).problem_type(cls.slug)
        assert declared is not None, f"{cls.__qualname__}: {cls.slug}"
        assert declared.status == cls.status, f"{cls.__qualname__}: {cls.slug} is {cls.status} in code"


def test_docs_errors_md_is_generated_from_the_catalogues() -> None:
    text = export_errors.DOC.read_text(encoding="utf-8")
    assert text == export_errors.render(), "docs/errors.md is out of date: python scripts/export_errors.py"
    for catalogue in CATALOGUES.values():
        for t in catalogue.types.values():
            assert f"| `{t.slug}` | {t.status} | {t.title} | {t.title_id} |" in text
