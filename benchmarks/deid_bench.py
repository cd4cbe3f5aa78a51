"""De-identification throughput: cells/s per operator on a 1M-row table, beside Presidio.

    .venv/bin/python benchmarks/deid_bench.py [--rows N] [--repeats R] [--peer-rows M] [--cases a,b]

Each operator runs through ``privault.deid.TablePlan.apply`` (the real path:
Polars expressions or batch loops) over one 1M-row column, on ONE core
(``POLARS_MAX_THREADS=1``), median of >= 3 runs. Presidio's AnonymizerEngine
applies the same operator to a subsample of the same values in the same run
(``benchmarks/peers/presidio_anonymizer_runner.py`` in ``.venv-peers``); rates
are per cell. Writes ``benchmarks/results/deid.json`` (with ``--cases``: only
those cases, ``sql_copy`` for the database copy, into ``deid_cases.json``).

The SQL figure copies a SQLite database (customers with name, e-mail and
card; orders referencing them by e-mail, a foreign key that inherits the
hash) into a fresh SQLite file through ``privault.app.masking_sql``, in
rows/s over both tables, beside a plain unmasked copy with the same batches
(the reference: what reading and writing alone cost here), and the same
masked copy with ``--k 10`` over ``customers.age`` and ``orders.total`` (the
first pass over the quasi-identifiers and the generalisation included).
"""

from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # per-core figures: set before polars loads

import argparse
import json
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from sqlalchemy import MetaData, create_engine, insert, select, text

from _common import ROOT, median_rate, write_results
from privault.app.masking_sql import DatabaseCopy, DatabaseOptions
from privault.core.secret import Secret
from privault.crypto.fpe import luhn_valid
from privault.deid import DeidKeys, Policy, load_policy, plan_table

PEER_PY = ROOT / ".venv-peers" / "bin" / "python"
PEER_RUNNER = ROOT / "benchmarks" / "peers" / "presidio_anonymizer_runner.py"
KEYS = DeidKeys(Secret(b"bench-key-" * 4))

# name -> (column, PII type, policy rule, Presidio operator + params or None)
CASES: dict[str, tuple[str, str, str, tuple[str, dict[str, object]] | None]] = {
    "mask": (
        "card",
        "CREDIT_CARD",
        "{operator: mask, keep_last: 4}",
        ("mask", {"masking_char": "*", "chars_to_mask": 12, "from_end": False}),
    ),
    "hash": ("email", "EMAIL_ADDRESS", "hash", ("hash", {"hash_type": "sha256"})),
    "generalize": ("age", "VALUE", "{operator: generalize, kind: age}", None),
    "generalize_date": ("dob", "DATE_TIME", "{operator: generalize, level: year}", None),
    "redact": ("email", "EMAIL_ADDRESS", "redact", ("redact", {})),
    "replace": ("email", "EMAIL_ADDRESS", "replace", ("replace", {"new_value": "<EMAIL_ADDRESS>"})),
    "keep": ("email", "EMAIL_ADDRESS", "keep", ("keep", {})),
    "fpe": ("card", "CREDIT_CARD", "fpe", None),  # last four kept: bound into each tweak
    "fpe_no_kept_digits": ("card", "CREDIT_CARD", "{operator: fpe, keep_last: 0}", None),
    "fpe_ssn": ("ssn", "US_SSN", "fpe", None),  # cycle-walks to a valid SSN, dashes kept
    "fpe_phone": ("phone", "PHONE_NUMBER", "fpe", None),  # first three digits kept
    "fake": ("name", "PERSON", "fake", None),
    "encrypt": ("email", "EMAIL_ADDRESS", "encrypt", ("encrypt", {"key": "WmZq4t7w!z%C&F)J"})),
    "date_shift": ("dob", "DATE_TIME", "{operator: date_shift, subject_column: id}", None),
}


def _card(rng: random.Random) -> str:
    body = f"4{rng.randrange(10**13, 10**14)}"
    return next(body + c for c in "0123456789" if luhn_valid(body + c))


def _ssn(rng: random.Random) -> str:
    area = rng.randrange(1, 899)
    area += area >= 666  # 001-899 without 666
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10**4):04d}"


def _phone(rng: random.Random) -> str:
    shape = rng.choice(("+1 (###) ###-####", "###.###.####", "+44 #### ######"))
    return "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in shape)


def make_table(rows: int) -> pl.DataFrame:
    rng = random.Random(42)
    firsts = ["Alice", "Bruno", "Chen", "Dalia", "Emeka", "Fatima", "Goran", "Hana"]
    lasts = ["Okafor", "Smith", "Ito", "Lund", "Garcia", "Novak", "Khan", "Meyer"]
    start = date(1940, 1, 1)
    return pl.DataFrame(
        {
            "id": [f"C{i:07d}" for i in range(rows)],
            "email": [f"user{i}.{rng.randrange(10**6)}@corp.example" for i in range(rows)],
            "card": [_card(rng) for _ in range(rows)],
            "ssn": [_ssn(rng) for _ in range(rows)],
            "phone": [_phone(rng) for _ in range(rows)],
            "name": [f"{rng.choice(firsts)} {rng.choice(lasts)} {i}" for i in range(rows)],
            "age": [str(rng.randint(18, 99)) for _ in range(rows)],
            "dob": [start + timedelta(days=rng.randrange(25000)) for _ in range(rows)],
        }
    )


def bench_privault(table: pl.DataFrame, repeats: int, cases: list[str]) -> dict[str, float]:
    rates: dict[str, float] = {}
    for name in cases:
        column, pii, rule, _peer = CASES[name]
        cols = [column, "id"] if name == "date_shift" else [column]
        frame = table.select(cols)
        policy = load_policy(f"columns: {{{column}: {rule}}}\nunlisted: keep")
        plan = plan_table(
            policy, frame.schema, keys=KEYS, pii_types={column: pii} if pii != "VALUE" else {}
        )

        def run(plan=plan, frame=frame) -> int:
            plan.apply(frame)
            return frame.height

        run()  # warm-up: builds pools, caches
        rates[name], _ = median_rate(run, repeats)
        print(f"  privault {name:16s} {rates[name]:>14,.0f} cells/s", flush=True)
    return rates


def bench_presidio(
    table: pl.DataFrame, peer_rows: int, repeats: int, cases: list[str]
) -> dict[str, float]:
    if not PEER_PY.exists():
        print("  .venv-peers missing: run `bash scripts/bench_peers.sh`", file=sys.stderr)
        return {}
    jobs = []
    for name in cases:
        column, pii, _rule, peer = CASES[name]
        if peer is None:
            continue
        values = [str(v) for v in table[column].head(peer_rows).to_list()]
        jobs.append(
            {"name": name, "operator": peer[0], "params": peer[1], "entity": pii, "values": values}
        )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"repeats": repeats, "jobs": jobs}, fh)
    try:
        done = subprocess.run(
            [str(PEER_PY), str(PEER_RUNNER), fh.name], capture_output=True, text=True, check=True
        )
    finally:
        Path(fh.name).unlink(missing_ok=True)
    rates: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    for name, r in rates.items():
        print(f"  presidio {name:16s} {r:>14,.0f} cells/s", flush=True)
    return rates


SQL_POLICY = """
columns:
  customers.name: {operator: fake, kind: PERSON}
  customers.email: hash
  customers.card: fpe
unlisted: keep
"""
SQL_K = "risk: {quasi_identifiers: [customers.age, orders.total], k: 10}\n"  # + first pass
SQL_SCHEMA = (
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(80), "
    "email VARCHAR(120) UNIQUE NOT NULL, card VARCHAR(19), age INTEGER)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
    "email VARCHAR(120) REFERENCES customers (email), total NUMERIC(10, 2))",
)


def _sql_source(path: Path, table: pl.DataFrame) -> int:
    engine = create_engine(f"sqlite:///{path}")
    rows = table.height
    customers = [
        {"id": i, "name": n, "email": e, "card": c, "age": int(a)}
        for i, (n, e, c, a) in enumerate(
            zip(table["name"], table["email"], table["card"], table["age"], strict=True)
        )
    ]
    orders = [
        {"id": i, "email": customers[i % rows]["email"], "total": f"{i % 500}.25"}
        for i in range(rows)
    ]
    with engine.begin() as conn:
        for ddl in SQL_SCHEMA:
            conn.execute(text(ddl))
        conn.execute(
            text("INSERT INTO customers VALUES (:id, :name, :email, :card, :age)"), customers
        )
        conn.execute(text("INSERT INTO orders VALUES (:id, :email, :total)"), orders)
    engine.dispose()
    return 2 * rows


def _plain_copy(src: str, dst: str, batch: int) -> None:
    """The reference: the same tables read by key in batches and inserted, unmasked."""
    source, dest = create_engine(src), create_engine(dst)
    with dest.begin() as conn:
        for ddl in SQL_SCHEMA:
            conn.execute(text(ddl))
    meta, out = MetaData(), MetaData()
    meta.reflect(source)
    out.reflect(dest)
    for name in ("customers", "orders"):
        table, last = meta.tables[name], -1
        while True:
            with source.connect() as conn:
                query = select(table).where(table.c.id > last).order_by(table.c.id).limit(batch)
                rows = [r._asdict() for r in conn.execute(query)]
            if not rows:
                break
            with dest.begin() as conn:
                conn.execute(insert(out.tables[name]), rows)
            last = rows[-1]["id"]
    source.dispose()
    dest.dispose()


def bench_sql_copy(table: pl.DataFrame, repeats: int, batch: int = 5_000) -> dict[str, float]:
    policy = load_policy(SQL_POLICY)
    with tempfile.TemporaryDirectory() as tmp:
        rows = _sql_source(Path(tmp) / "src.db", table)
        src = f"sqlite:///{tmp}/src.db"
        runs = iter(range(10_000))

        def masked(policy: Policy = policy) -> int:
            job = DatabaseCopy(
                src,
                f"sqlite:///{tmp}/m{next(runs)}.db",
                policy,
                KEYS,
                DatabaseOptions(batch_rows=batch),
            )
            job.run()
            job.finish()
            job.close()
            return rows

        def plain() -> int:
            _plain_copy(src, f"sqlite:///{tmp}/p{next(runs)}.db", batch)
            return rows

        ours, _ = median_rate(masked, repeats)
        with_k, _ = median_rate(lambda: masked(load_policy(SQL_POLICY + SQL_K)), repeats)
        ref, _ = median_rate(plain, repeats)
    print(f"  sql copy masked {ours:>14,.0f} rows/s; plain copy {ref:>12,.0f} rows/s", flush=True)
    print(f"  sql copy masked with --k 10 {with_k:>14,.0f} rows/s", flush=True)
    return {"rows": rows, "masked_rows_per_s": round(ours), "plain_rows_per_s": round(ref),
            "masked_vs_plain": round(ours / ref, 3), "masked_k10_rows_per_s": round(with_k),
            "masked_k10_vs_masked": round(with_k / ours, 3)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-rows", type=int, default=20_000)
    parser.add_argument("--sql-rows", type=int, default=100_000, help="customers (and orders)")
    parser.add_argument("--cases", help=f"only these cases, a,b (of {', '.join(CASES)}, sql_copy)")
    args = parser.parse_args()
    repeats = max(3, args.repeats)
    picked = list(CASES) if args.cases is None else [c.strip() for c in args.cases.split(",")]
    cases = [c for c in picked if c != "sql_copy"]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    print(f"building a {args.rows:,}-row table …", flush=True)
    table = make_table(args.rows)
    ours = bench_privault(table, repeats, cases)
    theirs = bench_presidio(table, args.peer_rows, repeats, cases)
    sql = bench_sql_copy(table.head(args.sql_rows), repeats) if "sql_copy" in picked else None
    ratios = {n: round(ours[n] / theirs[n], 1) for n in theirs if theirs[n] > 0}
    for n, r in ratios.items():
        print(f"  {n:16s} privault / presidio = {r:.1f}x")
    path = write_results(
        "deid" if args.cases is None else "deid_cases",
        {
            "rows": args.rows,
            "repeats": repeats,
            "threads": 1,
            "presidio_rows": args.peer_rows if theirs else 0,
            "cells_per_s": {n: round(r) for n, r in ours.items()},
            "presidio_cells_per_s": {n: round(r) for n, r in theirs.items()},
            "vs_presidio": ratios,
            "sql_copy_sqlite_to_sqlite": sql,
            "targets": {
                "mask,hash,generalize": ">= 1e6",
                "fpe,fake": ">= 1e5",
                "vs_presidio": ">= 50x",
            },
        },
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
