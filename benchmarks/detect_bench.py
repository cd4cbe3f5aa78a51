#!/usr/bin/env python3
"""Accuracy and speed of privault.detect on the labelled dev corpus, beside Presidio.

    .venv/bin/python benchmarks/detect_bench.py [--data PATH] [--limit N] [--no-peers]

Runs both modes (NER and rules-only) over every document, scores the predictions
with ../shared/bench/score_pii.py (all docs, and the even-id / odd-id halves so
tuning on one half can be checked on the other), prints per-entity and micro
P/R/F1 (overlap and exact), any-PII recall, docs/s and KB/s. When
``.venv-peers/bin/python`` exists (``scripts/bench_peers.sh``), Presidio runs on
the same documents in the same run and the ratios are printed.
Results go to benchmarks/results/detect.json.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_DATA = SHARED / "data/pii_dev.jsonl.gz"
SCORER = SHARED / "bench/score_pii.py"
PEER_PY = ROOT / ".venv-peers/bin/python"
PEER_RUNNER = ROOT / "benchmarks/peers/presidio_runner.py"
RESULTS = ROOT / "benchmarks/results/detect.json"

sys.path.insert(0, str(ROOT / "src"))
from privault.detect import Analyzer, AnalyzerConfig  # noqa: E402


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_pii", SCORER)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_docs(path: Path, limit: int | None) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh if line.strip()]
    return docs[:limit] if limit else docs


def id_parity(doc_id: str) -> int:
    digits = "".join(c for c in doc_id if c.isdigit())
    return int(digits[-1]) % 2 if digits else 0


def run_ours(docs: list[dict[str, Any]], rules_only: bool) -> tuple[dict[str, Any], float]:
    analyzer = Analyzer(AnalyzerConfig(rules_only=rules_only))
    texts = [d["text"] for d in docs]
    analyzer.analyze_many(texts[:8])  # load the model outside the timed region
    t0 = time.perf_counter()
    results = list(analyzer.analyze_batch(texts))
    elapsed = time.perf_counter() - t0
    preds = {
        d["id"]: {
            "id": d["id"],
            "entities": [
                {"type": f.type, "start": f.start, "end": f.end, "score": round(f.score, 3)}
                for f in found
            ],
        }
        for d, found in zip(docs, results, strict=True)
    }
    return preds, elapsed


def run_presidio(docs: list[dict[str, Any]], workdir: Path) -> tuple[dict[str, Any], float] | None:
    if not PEER_PY.exists():
        return None
    src, out = workdir / "docs.jsonl", workdir / "presidio.jsonl"
    src.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs))
    proc = subprocess.run(
        [str(PEER_PY), str(PEER_RUNNER), str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print("presidio runner failed:\n" + proc.stderr[-2000:], file=sys.stderr)
        return None
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    preds = {}
    for line in out.read_text().splitlines():
        row = json.loads(line)
        preds[row["id"]] = row
    return preds, float(stats["seconds"])


def score_halves(scorer: ModuleType, gold: dict[str, Any], preds: dict[str, Any]) -> dict[str, Any]:
    out = {"all": scorer.score(gold, preds)}
    for name, parity in (("even", 0), ("odd", 1)):
        sub = {k: v for k, v in gold.items() if id_parity(k) == parity}
        out[name] = scorer.score(sub, {k: v for k, v in preds.items() if k in sub})
    no_date = [t for t in scorer.INVENTORY if t != "DATE_TIME"]
    out["all_without_date"] = scorer.score(gold, preds, 0.0, no_date)
    return out


def summary(
    name: str, scores: dict[str, Any], seconds: float, docs: int, kb: float
) -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "seconds": seconds, "docs_per_s": docs / seconds,
                           "kb_per_s": kb / seconds}  # fmt: skip
    for part in ("all", "even", "odd", "all_without_date"):
        s = scores[part]
        row[part] = {
            "micro_f1_overlap": s["micro"]["overlap"]["f1"],
            "micro_f1_exact": s["micro"]["exact"]["f1"],
            "micro_p_overlap": s["micro"]["overlap"]["p"],
            "micro_r_overlap": s["micro"]["overlap"]["r"],
            "any_pii_recall": s["any_pii"]["recall_overlap"],
            "any_pii_precision": s["any_pii"]["precision_overlap"],
        }
    row["per_type"] = scores["all"]["per_type"]
    return row


def print_row(row: dict[str, Any]) -> None:
    print(f"-- {row['name']}: {row['docs_per_s']:.1f} docs/s, {row['kb_per_s']:.1f} KB/s")
    for part in ("all", "even", "odd", "all_without_date"):
        r = row[part]
        print(
            f"   {part:<17} micro-F1 overlap {r['micro_f1_overlap']:.3f}  exact "
            f"{r['micro_f1_exact']:.3f}  any-PII recall {r['any_pii_recall']:.3f}  "
            f"any-PII precision {r['any_pii_precision']:.3f}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--modes", default="ner,rules")
    ap.add_argument("--pred-dir", type=Path, default=ROOT / "benchmarks/results")
    args = ap.parse_args()
    scorer = load_scorer()
    docs = load_docs(args.data, args.limit)
    gold = {d["id"]: d for d in docs}
    kb = sum(len(d["text"].encode()) for d in docs) / 1024
    args.pred_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, Any]] = {}
    runs = [("ner", False), ("rules", True)]
    for name, rules_only in (r for r in runs if r[0] in args.modes.split(",")):
        preds, secs = run_ours(docs, rules_only)
        write_preds(args.pred_dir / f"detect_{name}.jsonl", preds)
        scores = score_halves(scorer, gold, preds)
        print(scorer.fmt_table(scores["all"], f"privault {name}"))
        rows[name] = summary(name, scores, secs, len(docs), kb)
    if not args.no_peers:
        with tempfile.TemporaryDirectory() as tmp:
            peer = run_presidio(docs, Path(tmp))
        if peer is not None:
            scores = score_halves(scorer, gold, peer[0])
            print(scorer.fmt_table(scores["all"], "presidio"))
            rows["presidio"] = summary("presidio", scores, peer[1], len(docs), kb)
    report(rows, args.data, len(docs))
    return 0


def write_preds(path: Path, preds: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(p) + "\n" for p in preds.values()))


def report(rows: dict[str, dict[str, Any]], data: Path, n_docs: int) -> None:
    print("\n== summary")
    for row in rows.values():
        print_row(row)
    ratios: dict[str, Any] = {}
    peer = rows.get("presidio")
    if peer:
        for name in ("ner", "rules"):
            if name in rows:
                ours = rows[name]
                ratios[name] = {
                    "docs_per_s_ratio": ours["docs_per_s"] / peer["docs_per_s"],
                    "micro_f1_overlap_ratio": ours["all"]["micro_f1_overlap"]
                    / max(peer["all"]["micro_f1_overlap"], 1e-9),
                }
                r = ratios[name]
                print(f"   ratio {name}/presidio: speed x{r['docs_per_s_ratio']:.1f}, "
                      f"F1 x{r['micro_f1_overlap_ratio']:.2f}")  # fmt: skip
    elif not PEER_PY.exists():
        print("   (no .venv-peers: run scripts/bench_peers.sh to compare with Presidio)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"data": str(data), "docs": n_docs, "runs": rows,
                                   "ratios_vs_presidio": ratios}, indent=1))  # fmt: skip
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    raise SystemExit(main())
