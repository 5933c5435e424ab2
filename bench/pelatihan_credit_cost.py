"""Benchmark: what a JP credit costs with the compliance report's per-unit deltas (migration pelatihan_0013)
against the ledger trigger before them (0012: jp_total only), on one database in one run.

On a database kept by ``bench.pelatihan --keep`` (its roster and ledger), the 0012 trigger function is installed
beside the current one under another name; rounds alternate between the two (one enabled, the other disabled).
Per round, ``--clients`` connections each credit ``--credits`` employees of one unit, one autocommitted
single-row INSERT into ``jp_entry`` each (as a completion writes it): one in ten is a PPPK with contract
dates, whose years above 24 JP are rebuilt. Reports the median latency per credit and credits/s over all
clients, each version's medians over its rounds. The database's derived figures are not kept right during the
0012 rounds (their deltas are missing): drop it afterwards (``bench.pelatihan`` says how it was kept).

Run: .venv/bin/python -m bench.pelatihan_credit_cost --reuse URL [--clients 4] [--credits 200] [--rounds 6]
     [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import asyncpg

from bench._util import command_line, machine, table, write_section
from tests.support.fixtures import plain_dsn

_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION pelatihan.jp_total_apply_0012() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pelatihan.jp_total AS t (year, nip, jp_total)
    SELECT year, nip, SUM(jp) FROM new_rows WHERE revoked_at IS NULL GROUP BY year, nip ORDER BY year, nip
    ON CONFLICT (year, nip) DO UPDATE SET jp_total = t.jp_total + EXCLUDED.jp_total;
    RETURN NULL;
END
$$
"""
_OLD_TRIGGER = (
    "CREATE TRIGGER jp_total_insert_0012 AFTER INSERT ON pelatihan.jp_entry REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION pelatihan.jp_total_apply_0012()"
)
_CREDIT = (
    "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on)"
    " VALUES (gen_random_uuid(), $1, 2026, 3, 'bench credit', 'KLASIKAL', date '2026-11-20')"
)


async def _use(conn: asyncpg.Connection, version: str) -> None:
    on, off = (
        ("jp_total_insert", "jp_total_insert_0012")
        if version == "0013"
        else (
            "jp_total_insert_0012",
            "jp_total_insert",
        )
    )
    await conn.execute(f"ALTER TABLE pelatihan.jp_entry DISABLE TRIGGER {off}, ENABLE TRIGGER {on}")


async def _round(url: str, nips: list[list[str]]) -> dict[str, float]:
    conns = [await asyncpg.connect(plain_dsn(url)) for _ in nips]
    latencies: list[float] = []
    try:

        async def client(conn: asyncpg.Connection, mine: list[str]) -> None:
            for nip in mine:
                t = time.perf_counter()
                await conn.execute(_CREDIT, nip)
                latencies.append(time.perf_counter() - t)

        started = time.perf_counter()
        await asyncio.gather(*[client(c, mine) for c, mine in zip(conns, nips, strict=True)])
        wall = time.perf_counter() - started
    finally:
        for c in conns:
            await c.close()
    return {"ms": statistics.median(latencies) * 1000, "rps": len(latencies) / wall}


async def run(args: argparse.Namespace) -> list[list[object]]:
    admin = await asyncpg.connect(plain_dsn(args.reuse))
    try:
        await admin.execute(_OLD_FUNCTION)
        await admin.execute("DROP TRIGGER IF EXISTS jp_total_insert_0012 ON pelatihan.jp_entry")
        await admin.execute(_OLD_TRIGGER)
        unit = await admin.fetchval(
            "SELECT unit_id FROM pelatihan.roster_employee WHERE active GROUP BY unit_id ORDER BY unit_id LIMIT 1"
        )
        rows = await admin.fetch(
            "SELECT nip FROM pelatihan.roster_employee WHERE unit_id = $1 AND active ORDER BY nip LIMIT $2",
            unit,
            args.clients * args.credits,
        )
        pppk = await admin.fetchval(
            "SELECT count(*) FROM pelatihan.roster_employee WHERE nip = ANY($1::text[]) AND contract_start IS NOT NULL",
            [r["nip"] for r in rows],
        )
        nips = [[r["nip"] for r in rows[i :: args.clients]] for i in range(args.clients)]
        results: dict[str, list[dict[str, float]]] = {"0013": [], "0012": []}
        try:
            for r in range(args.rounds):
                for version in ("0013", "0012") if r % 2 == 0 else ("0012", "0013"):
                    await _use(admin, version)
                    results[version].append(await _round(args.reuse, nips))
        finally:
            await _use(admin, "0013")
            await admin.execute("DROP TRIGGER jp_total_insert_0012 ON pelatihan.jp_entry")
            await admin.execute("DROP FUNCTION pelatihan.jp_total_apply_0012()")
    finally:
        await admin.close()
    out: list[list[object]] = []
    med: dict[str, dict[str, float]] = {}
    for version, label in (("0013", "with per-unit deltas (0013)"), ("0012", "jp_total only (0012)")):
        med[version] = {k: statistics.median(x[k] for x in results[version]) for k in ("ms", "rps")}
        out.append(
            [f"credit, {label}", f"{med[version]['ms']:.2f} ms", f"{med[version]['rps']:.0f} credits/s"]
        )
    out.append(
        [
            "credit, 0013 vs 0012",
            f"x{med['0013']['ms'] / med['0012']['ms']:.2f} latency",
            f"x{med['0013']['rps'] / med['0012']['rps']:.2f} throughput; {args.clients} clients x {args.credits}"
            f" credits in one unit ({pppk} of them PPPK with contract dates), {args.rounds} alternating rounds",
        ]
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", required=True, help="a database kept by bench.pelatihan --keep")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--credits", type=int, default=200, help="per client and round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = asyncio.run(run(args))
    text = table(["what", "measured", "notes"], rows)
    print(text)
    if not args.no_write:
        write_section(
            "pelatihan-credit-cost",
            "## pelatihan: what a JP credit costs with the per-unit deltas\n\n"
            f"Command: `{command_line()}` on the database of `bench.pelatihan --employees 200000 --keep`\n\n"
            f"Machine: {machine()}. {__doc__.split(chr(10) + chr(10))[1].replace(chr(10), ' ')}\n\n{text}\n",
        )


if __name__ == "__main__":
    main()
