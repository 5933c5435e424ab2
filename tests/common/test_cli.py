"""The asn command: clear messages and non-zero exits on bad input or an unreachable database."""

from __future__ import annotations

import pytest

from asn_cli.main import main
from tests.support.fixtures import free_port


def test_unknown_app_is_refused(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASN_DATABASE_URL", "postgresql://127.0.0.1:1/nothing")
    assert main(["migrate", "nosuchapp"]) == 2
    assert "unknown app 'nosuchapp'" in capsys.readouterr().err


def test_unreachable_database_is_reported(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASN_DATABASE_URL", f"postgresql://127.0.0.1:{free_port()}/nothing")
    assert main(["migrate"]) == 2
    assert "cannot connect to the database" in capsys.readouterr().err


def test_seed_needs_a_kind(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASN_DATABASE_URL", "postgresql://127.0.0.1:1/nothing")
    assert main(["seed"]) == 2
    assert "asn seed --demo" in capsys.readouterr().err


def test_short_admin_password_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-admin", "--username", "x", "--password", "short"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err


def test_bad_arguments_exit_non_zero() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


async def test_migrate_and_create_admin_against_a_real_database(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    monkeypatch.setenv("ASN_DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["migrate"]) == 0
    assert "all schemas at head" in capsys.readouterr().out
    code = await asyncio.to_thread(
        main, ["create-admin", "--username", "cli-admin", "--password", "a-long-password-1"]
    )
    assert code == 0
    assert "admin account 'cli-admin'" in capsys.readouterr().out


def test_bootstrap_clients_needs_every_service_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("KINERJA", "PELATIHAN", "PUBLIK"):
        monkeypatch.delenv(f"{name}_SERVICE_CLIENT_SECRET", raising=False)
    assert main(["bootstrap-clients"]) == 2
    assert "KINERJA_SERVICE_CLIENT_SECRET" in capsys.readouterr().err


async def test_bootstrap_clients_registers_the_service_clients(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    monkeypatch.setenv("ASN_DATABASE_URL", database_url)
    for name in ("KINERJA", "PELATIHAN", "PUBLIK"):
        monkeypatch.setenv(f"{name}_SERVICE_CLIENT_SECRET", f"{name.lower()}-secret-of-enough-length")
    assert await asyncio.to_thread(main, ["bootstrap-clients"]) == 0
    assert "svc-kinerja, svc-pelatihan, svc-publik" in capsys.readouterr().out
