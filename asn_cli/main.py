"""``asn``: the operator's command line.

asn run                       embedded DB (or ASN_DATABASE_URL) + migrate + demo data once + all four apps
asn migrate [APP ...]         upgrade every app's schema (or the ones named)
asn seed --demo               load the demo data (idempotent)
asn create-admin --username U create or reset an admin account (password from --password, ASN_ADMIN_PASSWORD
                              or a prompt)
asn serve APP|all             serve one app in the foreground, or all four as child processes
asn verify-audit              check every app's audit chain against publik's signed anchors (the databases)
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from typing import Any

from asn_cli.apps import APPS
from asn_cli.database import (
    CliSettings,
    DatabaseUnavailable,
    check_database,
    migrate,
    migration_url,
)
from asn_cli.database import with_database as _with_database
from services.common.apps import APP_NAMES, SERVICE_NAMES


class CliError(Exception):
    """A problem to report in one line, with exit status 2."""


def cmd_migrate(args: argparse.Namespace, settings: CliSettings) -> int:
    apps = args.apps or list(APP_NAMES)
    for app in apps:
        if app not in APPS:
            raise CliError(f"unknown app {app!r}; choose from {', '.join(APP_NAMES)}")

    def run(urls: dict[str, str]) -> int:
        from asn_cli.runtime_roles import ensure_runtime_role, requested_role

        # Development (one URL for every schema, or the embedded server): the runtime roles' passwords are
        # generated once and kept in the data directory, where ``asn run`` finds them.
        shared = settings.database_url is not None or all(not migration_url(settings, app) for app in apps)
        for app in apps:
            print(f"migrating {app} ...", flush=True)
            migrate(app, urls[app])
            request = requested_role(app, urls[app], dict(os.environ), settings.data_dir if shared else None)
            runtime = ensure_runtime_role(app, urls[app], request)
            if runtime.separate:
                print(f"  {app} serves as {runtime.role!r}: INSERT and SELECT only on its audit tables")
            if runtime.warning:
                print(f"asn: warning: {runtime.warning}", file=sys.stderr, flush=True)
        print("all schemas at head")
        return 0

    return _with_database(settings, run, apps, url_of=migration_url)


def cmd_seed(args: argparse.Namespace, settings: CliSettings) -> int:
    if not args.demo:
        raise CliError("say what to seed: asn seed --demo")
    from asn_cli.seed import seed_demo

    def run(urls: dict[str, str]) -> int:
        summary = asyncio.run(seed_demo(urls, settings))
        for line in summary:
            print(line)
        return 0

    return _with_database(settings, run, list(APP_NAMES))


def cmd_create_admin(args: argparse.Namespace, settings: CliSettings) -> int:
    password = args.password or os.environ.get("ASN_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise CliError("no password: pass --password, set ASN_ADMIN_PASSWORD, or run in a terminal")
        password = getpass.getpass("password for the new admin: ")
    if len(password) < 12:
        raise CliError("the password must have at least 12 characters")
    from asn_cli.seed import create_admin

    def run(urls: dict[str, str]) -> int:
        created = asyncio.run(create_admin(urls["gateway"], args.username, password))
        print(f"admin account {args.username!r} {'created' if created else 'updated'}")
        return 0

    return _with_database(settings, run, ["gateway"])


def cmd_bootstrap_clients(args: argparse.Namespace, settings: CliSettings) -> int:
    secrets: dict[str, str] = {}
    for name in SERVICE_NAMES:
        secret = os.environ.get(f"{name.upper()}_SERVICE_CLIENT_SECRET")
        if not secret:
            raise CliError(
                f"set {name.upper()}_SERVICE_CLIENT_SECRET (the same value the {name} service gets)"
            )
        if len(secret) < 24:
            raise CliError(f"{name.upper()}_SERVICE_CLIENT_SECRET must have at least 24 characters")
        secrets[os.environ.get(f"{name.upper()}_SERVICE_CLIENT_ID", f"svc-{name}")] = secret
    from asn_cli.seed import bootstrap

    def run(urls: dict[str, str]) -> int:
        asyncio.run(bootstrap(urls["gateway"], secrets))
        print(f"service clients ready: {', '.join(sorted(secrets))}")
        return 0

    return _with_database(settings, run, ["gateway"])


def cmd_serve(args: argparse.Namespace, settings: CliSettings) -> int:
    if args.app == "all":
        from asn_cli.runner import serve_all

        return serve_all(settings, env=dict(os.environ))
    if args.app not in APPS:
        raise CliError(f"unknown app {args.app!r}; choose from {', '.join(APP_NAMES)} or all")
    import uvicorn

    from asn_cli.eventloop import UVICORN_LOOP

    info = APPS[args.app]
    app_settings = info.settings()
    if not app_settings.database_url:
        raise CliError(f"set {info.env_prefix}DATABASE_URL (or use 'asn run' for the embedded database)")
    check_database(app_settings.database_url)
    workers = settings.workers if args.workers is None else args.workers
    if workers == 0:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    options: dict[str, Any] = {
        "host": args.host or app_settings.host,
        "port": args.port or app_settings.port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "timeout_graceful_shutdown": 5,
        # uvloop, accepting every waiting connection per turn of the loop (asn_cli/eventloop.py).
        "loop": UVICORN_LOOP if settings.serve_loop == "eager" else "uvloop",
    }
    if workers > 1:
        # Several processes on one socket: uvicorn imports the factory in each worker (an app object cannot
        # be handed to them). Each worker builds its own pool, admission gate and in-memory limits.
        uvicorn.run(info.factory, factory=True, workers=workers, **options)
    else:
        uvicorn.run(info.create_app_fn()(), **options)
    return 0


def cmd_run(args: argparse.Namespace, settings: CliSettings) -> int:
    from asn_cli.runner import run_all

    if args.show_logs:
        settings = settings.model_copy(update={"show_logs": True})
    return run_all(settings, demo=not args.no_demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="asn", description="ASN Bengkulu backend: operations commands.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="upgrade every app's schema (or the named ones) to head")
    p.add_argument("apps", nargs="*", metavar="APP", help=f"any of {', '.join(APP_NAMES)}")
    p.set_defaults(fn=cmd_migrate)

    p = sub.add_parser("seed", help="load data")
    p.add_argument("--demo", action="store_true", help="the demo data set (idempotent)")
    p.set_defaults(fn=cmd_seed)

    p = sub.add_parser("create-admin", help="create (or reset the password of) an admin account")
    p.add_argument("--username", required=True)
    p.add_argument("--password", help="at least 12 characters; prefer ASN_ADMIN_PASSWORD or the prompt")
    p.set_defaults(fn=cmd_create_admin)

    p = sub.add_parser(
        "bootstrap-clients",
        help="register the services' own API clients at the gateway (from <APP>_SERVICE_CLIENT_SECRET)",
    )
    p.set_defaults(fn=cmd_bootstrap_clients)

    p = sub.add_parser("serve", help="serve one app, or all of them")
    p.add_argument("app", help=f"one of {', '.join(APP_NAMES)}, or all")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument(
        "--workers",
        type=int,
        help="worker processes for one app (default ASN_WORKERS or 1; 0: one per CPU core); "
        "in-memory limits count per worker",
    )
    p.set_defaults(fn=cmd_serve)

    p = sub.add_parser("run", help="everything, on the embedded database unless ASN_DATABASE_URL is set")
    p.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    p.add_argument(
        "--show-logs",
        action="store_true",
        help="print every app log line here too (default: warnings only; all lines go to .data/logs/)",
    )
    p.set_defaults(fn=cmd_run)

    from asn_cli import audit_commands, kinerja_commands, ops_commands, publik_commands

    kinerja_commands.register(sub)
    publik_commands.register(sub)
    audit_commands.register(sub)
    ops_commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = CliSettings()
    try:
        code: int = args.fn(args, settings)
        return code
    except (CliError, DatabaseUnavailable) as exc:
        print(f"asn: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
