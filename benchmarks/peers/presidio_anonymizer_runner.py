#!/usr/bin/env python3
"""Run Presidio's AnonymizerEngine on single values; runs inside .venv-peers.

    .venv-peers/bin/python benchmarks/peers/presidio_anonymizer_runner.py JOB.json

JOB is {"repeats": N, "jobs": [{"name", "operator", "params", "entity", "values"}]}.
Each value is anonymized as one whole-value span (a table cell), as privault does.
Prints one JSON line {"name": cells_per_s_median, ...}.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import time

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult


def rate(engine: AnonymizerEngine, job: dict, repeats: int) -> float:
    config = {job["entity"]: OperatorConfig(job["operator"], job["params"])}
    values = job["values"]
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for v in values:
            engine.anonymize(
                text=v,
                analyzer_results=[RecognizerResult(job["entity"], 0, len(v), 1.0)],
                operators=config,
            )
        rates.append(len(values) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> int:
    logging.disable(logging.WARNING)
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    engine = AnonymizerEngine()
    out = {job["name"]: rate(engine, job, spec["repeats"]) for job in spec["jobs"]}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
