"""De-identification throughput: cells/s per operator on a 1M-row table, beside Presidio.

    .venv/bin/python benchmarks/deid_bench.py [--rows N] [--repeats R] [--peer-rows M]

Each operator runs through ``privault.deid.TablePlan.apply`` (the real path:
Polars expressions or batch loops) over one 1M-row column, on ONE core
(``POLARS_MAX_THREADS=1``), median of >= 3 runs. Presidio's AnonymizerEngine
applies the same operator to a subsample of the same values in the same run
(``benchmarks/peers/presidio_anonymizer_runner.py`` in ``.venv-peers``); rates
are per cell. Writes ``benchmarks/results/deid.json``.
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

from _common import ROOT, median_rate, write_results
from privault.core.secret import Secret
from privault.crypto.fpe import luhn_valid
from privault.deid import DeidKeys, load_policy, plan_table

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
    "fake": ("name", "PERSON", "fake", None),
    "encrypt": ("email", "EMAIL_ADDRESS", "encrypt", ("encrypt", {"key": "WmZq4t7w!z%C&F)J"})),
    "date_shift": ("dob", "DATE_TIME", "{operator: date_shift, subject_column: id}", None),
}


def _card(rng: random.Random) -> str:
    body = f"4{rng.randrange(10**13, 10**14)}"
    return next(body + c for c in "0123456789" if luhn_valid(body + c))


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
            "name": [f"{rng.choice(firsts)} {rng.choice(lasts)} {i}" for i in range(rows)],
            "age": [str(rng.randint(18, 99)) for _ in range(rows)],
            "dob": [start + timedelta(days=rng.randrange(25000)) for _ in range(rows)],
        }
    )


def bench_privault(table: pl.DataFrame, repeats: int) -> dict[str, float]:
    rates: dict[str, float] = {}
    for name, (column, pii, rule, _peer) in CASES.items():
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


def bench_presidio(table: pl.DataFrame, peer_rows: int, repeats: int) -> dict[str, float]:
    if not PEER_PY.exists():
        print("  .venv-peers missing: run `bash scripts/bench_peers.sh`", file=sys.stderr)
        return {}
    jobs = []
    for name, (column, pii, _rule, peer) in CASES.items():
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-rows", type=int, default=20_000)
    args = parser.parse_args()
    repeats = max(3, args.repeats)
    print(f"building a {args.rows:,}-row table …", flush=True)
    table = make_table(args.rows)
    ours = bench_privault(table, repeats)
    theirs = bench_presidio(table, args.peer_rows, repeats)
    ratios = {n: round(ours[n] / theirs[n], 1) for n in theirs if theirs[n] > 0}
    for n, r in ratios.items():
        print(f"  {n:16s} privault / presidio = {r:.1f}x")
    path = write_results(
        "deid",
        {
            "rows": args.rows,
            "repeats": repeats,
            "threads": 1,
            "presidio_rows": args.peer_rows if theirs else 0,
            "cells_per_s": {n: round(r) for n, r in ours.items()},
            "presidio_cells_per_s": {n: round(r) for n, r in theirs.items()},
            "vs_presidio": ratios,
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
