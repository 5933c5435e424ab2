"""The five steps of sample.py, written against a client generated from openapi/gateway.json by
openapi-python-client (pinned in pyproject.toml, configured by openapi-python-client.yaml next to this file):

    openapi-python-client generate --path openapi/gateway.json \\
        --config samples/python/openapi-python-client.yaml --meta none --output-path asn_bengkulu_client
    python samples/python/generated_sample.py --base-url http://127.0.0.1:8000

Every request and response is a typed model of the generated package, so ``mypy --strict`` checks this
file against the contract (tests/contract/test_generated_client.py does, on a freshly generated client).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from asn_bengkulu_client import AuthenticatedClient, Client
from asn_bengkulu_client.api.employees import kinerja_employees_list
from asn_bengkulu_client.api.enrolments import pelatihan_enrolments_create
from asn_bengkulu_client.api.evaluations import (
    kinerja_evaluations_create,
    kinerja_evaluations_finalize,
    kinerja_evaluations_main_results,
    kinerja_evaluations_update,
)
from asn_bengkulu_client.api.feed import publik_feed_list
from asn_bengkulu_client.api.identity import issue_token
from asn_bengkulu_client.api.kinerja_ops import kinerja_whoami
from asn_bengkulu_client.api.sessions import pelatihan_sessions_list
from asn_bengkulu_client.models import (
    BehaviorNote,
    Berakhlak,
    EnrolmentCreate,
    EnrolmentStatus,
    EvaluationCreate,
    EvaluationRead,
    EvaluationUpdate,
    EvaluationUpdateBehaviorNotesType0,
    EvaluationUpdateMainRatingsType0,
    FeedKind,
    FinalizedRead,
    GrantType,
    MainRating,
    MainResults,
    Problem,
    Rating,
    TokenError,
    TokenForm,
    TokenResponse,
)
from asn_bengkulu_client.types import Response

T = TypeVar("T")


class ApiError(Exception):
    """An answer that was not the expected model; carries the problem and its request id when there is one."""


def expect(response: Response[T | Problem], model: type[T]) -> T:
    """The parsed body when it is ``model``; otherwise raise with the problem's title and request id."""
    parsed = response.parsed
    if isinstance(parsed, model):
        return parsed
    if isinstance(parsed, Problem):
        raise ApiError(f"{parsed.status} {parsed.title}: {parsed.detail} (request {parsed.request_id})")
    raise ApiError(f"unexpected answer {response.status_code}: {response.content[:200]!r}")


def login(base_url: str, username: str, password: str) -> AuthenticatedClient:
    """The password grant; a refused login is an TokenError whose ``error`` is an OAuthErrorCode."""
    form = TokenForm(grant_type=GrantType.PASSWORD, username=username, password=password)
    with Client(base_url=base_url) as anonymous:
        answer = issue_token.sync_detailed(client=anonymous, body=form)
    token = answer.parsed
    if isinstance(token, TokenError):
        raise ApiError(f"login refused: {token.error.value} (request {token.request_id})")
    if not isinstance(token, TokenResponse):
        raise ApiError(f"unexpected answer {answer.status_code}: {answer.content[:200]!r}")
    return AuthenticatedClient(base_url=base_url, token=token.access_token)


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def run(base_url: str, username: str, password: str) -> None:
    """Log in, list employees, evaluate and finalise a direct report, enrol them, read the public feed."""
    with login(base_url, username, password) as api:
        me = kinerja_whoami.sync(client=api)
        if me is None or isinstance(me, Problem):
            raise ApiError("whoami failed")
        print(f"ok login: {me.subject} ({', '.join(me.roles)})")

        page = kinerja_employees_list.sync(client=api, limit=50)
        if page is None or isinstance(page, Problem):
            raise ApiError("employee list failed")
        reports = [e for e in page.items if e.supervisor_nip == me.nip and e.active]
        if not reports:
            raise ApiError(f"{username} has no active direct reports")
        report = reports[0]
        print(f"ok employees: {len(page.items)} visible, {len(reports)} direct report(s)")

        created = kinerja_evaluations_create.sync_detailed(
            client=api, body=EvaluationCreate(nip=report.nip, period=current_quarter(date.today()))
        )
        evaluation = expect(created, EvaluationRead)
        # The rating rests on the report's approved SKP: every main result is rated, and the seven BerAKHLAK
        # levels agree with the overall behaviour rating (their median).
        to_rate = expect(
            kinerja_evaluations_main_results.sync_detailed(evaluation.id, client=api), MainResults
        )
        main = EvaluationUpdateMainRatingsType0()
        for item in to_rate.items:
            main[str(item.skp_result_id)] = MainRating(rating=Rating.SESUAI_EKSPEKTASI, note="sesuai target")
        levels = EvaluationUpdateBehaviorNotesType0()
        for value in Berakhlak:
            levels[value.value] = BehaviorNote(level=Rating.SESUAI_EKSPEKTASI)
        rated = kinerja_evaluations_update.sync_detailed(
            evaluation.id,
            client=api,
            body=EvaluationUpdate(
                result_rating=Rating.SESUAI_EKSPEKTASI,
                behavior_rating=Rating.SESUAI_EKSPEKTASI,
                main_ratings=main,
                behavior_notes=levels,
            ),
            if_match=created.headers.get("ETag"),
        )
        expect(rated, EvaluationRead)
        final = expect(
            kinerja_evaluations_finalize.sync_detailed(
                evaluation.id, client=api, if_match=rated.headers.get("ETag")
            ),
            FinalizedRead,
        )
        print(
            f"ok finalize: {final.nip} {final.period}: {final.status.value}, predikat {final.predikat or '-'}"
        )

        sessions = pelatihan_sessions_list.sync(client=api, open_=True, limit=50)
        if sessions is None or isinstance(sessions, Problem):
            raise ApiError("session list failed")
        target = next((s for s in sessions.items if not s.eligible_position_types), None)
        if target is None:
            raise ApiError("no open training session to enrol in")
        enrolment = pelatihan_enrolments_create.sync(
            target.id, client=api, body=EnrolmentCreate(nip=report.nip)
        )
        if enrolment is None or isinstance(enrolment, Problem):
            raise ApiError("enrolment failed")
        waiting = enrolment.status in (EnrolmentStatus.PENDING_APPROVAL, EnrolmentStatus.WAITLISTED)
        print(f"ok enrol: {enrolment.status.value}{' (not yet confirmed)' if waiting else ''}")

    with Client(base_url=base_url) as public:
        feed = publik_feed_list.sync(client=public, limit=10)
        if feed is None or isinstance(feed, Problem):
            raise ApiError("feed failed")
        kinds: list[FeedKind] = [item.kind for item in feed.items]
        print(f"ok feed: {len(feed.items)} item(s): {', '.join(k.value for k in kinds)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="atasan.bkd")
    parser.add_argument("--password", default="bengkulu-demo")
    args = parser.parse_args(argv)
    try:
        run(args.base_url, args.username, args.password)
    except ApiError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
