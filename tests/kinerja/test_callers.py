"""One caller type in kinerja: how a verified principal becomes the Caller every router hands down, and
the role rules of each resource's policy functions."""

from __future__ import annotations

import pytest

from services.common.auth import Principal, Role, Scope
from services.kinerja_api.caller import Caller
from services.kinerja_api.deps import caller_of
from services.kinerja_api.employees.service import sees_every_employee
from services.kinerja_api.evaluations.service import reads_every_evaluation
from services.kinerja_api.reports.service import reads_every_unit
from services.kinerja_api.skp.service import reads_every_skp

NIP = "198609262015051001"


def _caller(
    subject: str, *roles: str, nip: str | None = None, scopes: frozenset[str] = frozenset()
) -> Caller:
    return caller_of(Principal(subject=subject, roles=frozenset(roles), nip=nip, scopes=scopes))


def test_an_employee_is_known_by_the_nip_claim() -> None:
    caller = _caller("budi", Role.PEGAWAI, nip=NIP)
    assert (caller.nip, caller.acting_nip, caller.id, caller.subject) == (NIP, NIP, NIP, "budi")
    assert not caller.is_admin


def test_a_nip_shaped_subject_acts_only_on_evaluations() -> None:
    caller = _caller(NIP, Role.PEGAWAI)
    assert caller.acting_nip == NIP  # evaluations, tasks, reports
    assert caller.nip is None  # SKPs, realizations, the registry
    assert _caller(NIP, Role.INTEGRATOR).acting_nip is None  # only for pegawai tokens
    assert _caller("budi", Role.PEGAWAI).acting_nip is None  # only a NIP-shaped subject


def test_non_employees_are_named_by_their_subject() -> None:
    caller = _caller("admin", Role.ADMIN)
    assert caller.id == "admin"
    assert caller.is_admin


INDIVIDUAL = frozenset({Scope.KINERJA_INDIVIDUAL})


@pytest.mark.parametrize(
    ("role", "scopes", "skp", "employee", "evaluation", "unit_report"),
    [
        (Role.ADMIN, frozenset(), True, True, True, True),
        (Role.INTEGRATOR, INDIVIDUAL, True, True, True, True),
        # Without kinerja:individual an integrator reads aggregates only (issue 14).
        (Role.INTEGRATOR, frozenset(), False, False, False, True),
        (Role.INTEGRATOR, frozenset({Scope.PELATIHAN_INDIVIDUAL}), False, False, False, True),
        (Role.SERVICE, frozenset(), True, True, False, False),
        (Role.PEGAWAI, INDIVIDUAL, False, False, False, False),
        (Role.PELATIHAN_ADMIN, frozenset(), False, False, False, False),
        (Role.MITRA, frozenset(), False, False, False, False),
    ],
)
def test_who_reads_everything_per_resource(
    role: str, scopes: frozenset[str], skp: bool, employee: bool, evaluation: bool, unit_report: bool
) -> None:
    caller = _caller("x", role, scopes=scopes)
    assert reads_every_skp(caller) is skp
    assert sees_every_employee(caller) is employee
    assert reads_every_evaluation(caller) is evaluation
    assert reads_every_unit(caller) is unit_report
