#!/usr/bin/env python3
"""Accuracy and speed of privault.detect on the labelled dev corpus, beside Presidio.

    .venv/bin/python benchmarks/detect_bench.py [--data PATH] [--limit N] [--no-peers]
                                                [--repeats N]

Runs both modes (NER and rules-only) over every document, scores the predictions
with ../shared/bench/score_pii.py (all docs, and the even-id / odd-id halves so
tuning on one half can be checked on the other), prints per-entity and micro
P/R/F1 (overlap and exact), any-PII recall, docs/s and KB/s. When
``.venv-peers/bin/python`` exists (``scripts/bench_peers.sh``), Presidio runs on
the same documents in the same run and the ratios are printed.

Speed is single-process throughput. Each mode and Presidio (one engine kept
alive in a side process) make one untimed warm-up pass, then ``--repeats``
timed passes over all documents,
interleaved (ours NER, ours rules-only, Presidio, then again), so machine load
hits all of them alike; docs/s are the medians of the passes and the ratios are
ratios of medians (every pass is kept in the JSON).
Results go to benchmarks/results/detect.json.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import statistics
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


class Ours:
    """One analyzer per mode; ``run`` times one pass and keeps the first pass's predictions."""

    def __init__(self, docs: list[dict[str, Any]], rules_only: bool) -> None:
        self.docs = docs
        self.texts = [d["text"] for d in docs]
        self.analyzer = Analyzer(AnalyzerConfig(rules_only=rules_only))
        self.analyzer.analyze_many(self.texts[:8])  # load the model outside the timed region
        self.preds: dict[str, Any] = {}
        self.seconds: list[float] = []

    def run(self) -> None:
        t0 = time.perf_counter()
        results = list(self.analyzer.analyze_batch(self.texts))
        self.seconds.append(time.perf_counter() - t0)
        if not self.preds:
            self.preds = {
                d["id"]: {"id": d["id"], "entities": [
                    {"type": f.type, "start": f.start, "end": f.end, "score": round(f.score, 3)}
                    for f in found]}
                for d, found in zip(self.docs, results, strict=True)
            }  # fmt: skip


class Presidio:
    """Presidio in ``.venv-peers``, one engine kept alive; ``run`` times one more pass."""

    def __init__(self, docs: list[dict[str, Any]], workdir: Path) -> None:
        src, self.out = workdir / "docs.jsonl", workdir / "presidio.jsonl"
        src.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs))
        self.proc = subprocess.Popen(
            [str(PEER_PY), str(PEER_RUNNER), str(src), str(self.out), "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.seconds: list[float] = []

    def run(self) -> bool:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            print("presidio runner failed (see stderr above)", file=sys.stderr)
            return False
        self.seconds.append(float(json.loads(line)["seconds"]))
        return True

    def preds(self) -> dict[str, Any]:
        rows = (json.loads(line) for line in self.out.read_text().splitlines())
        return {row["id"]: row for row in rows}

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def score_halves(scorer: ModuleType, gold: dict[str, Any], preds: dict[str, Any]) -> dict[str, Any]:
    out = {"all": scorer.score(gold, preds)}
    for name, parity in (("even", 0), ("odd", 1)):
        sub = {k: v for k, v in gold.items() if id_parity(k) == parity}
        out[name] = scorer.score(sub, {k: v for k, v in preds.items() if k in sub})
    no_date = [t for t in scorer.INVENTORY if t != "DATE_TIME"]
    out["all_without_date"] = scorer.score(gold, preds, 0.0, no_date)
    return out


def summary(
    name: str, scores: dict[str, Any], seconds: list[float], docs: int, kb: float
) -> dict[str, Any]:
    median = statistics.median(seconds)
    row: dict[str, Any] = {"name": name, "seconds": median, "docs_per_s": docs / median,
                           "kb_per_s": kb / median, "passes_seconds": seconds,
                           "passes_docs_per_s": [docs / s for s in seconds]}  # fmt: skip
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
    passes = ", ".join(f"{x:.0f}" for x in row["passes_docs_per_s"])
    print(f"-- {row['name']}: {row['docs_per_s']:.1f} docs/s (median of {passes}), "
          f"{row['kb_per_s']:.1f} KB/s")  # fmt: skip
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
    ap.add_argument("--repeats", type=int, default=5, help="timed passes per engine (median)")
    args = ap.parse_args()
    scorer = load_scorer()
    docs = load_docs(args.data, args.limit)
    gold = {d["id"]: d for d in docs}
    kb = sum(len(d["text"].encode()) for d in docs) / 1024
    args.pred_dir.mkdir(parents=True, exist_ok=True)
    modes = [m for m in ("ner", "rules") if m in args.modes.split(",")]
    ours = {m: Ours(docs, rules_only=m == "rules") for m in modes}
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        peer = None if args.no_peers or not PEER_PY.exists() else Presidio(docs, Path(tmp))
        # One untimed pass each first: lazy loads (phonenumbers' region metadata, word
        # lists, spaCy's vocab) land there, so every engine is timed warm.
        for runner in ours.values():
            runner.run()
            runner.seconds.clear()
        if peer is not None and not peer.run():
            peer = None
        if peer is not None:
            peer.seconds.clear()
        for _ in range(args.repeats):  # interleaved passes: load drifts hit all alike
            for runner in ours.values():
                runner.run()
            if peer is not None and not peer.run():
                peer = None
        for name, runner in ours.items():
            write_preds(args.pred_dir / f"detect_{name}.jsonl", runner.preds)
            scores = score_halves(scorer, gold, runner.preds)
            print(scorer.fmt_table(scores["all"], f"privault {name}"))
            rows[name] = summary(name, scores, runner.seconds, len(docs), kb)
        if peer is not None:
            peer.close()
            scores = score_halves(scorer, gold, peer.preds())
            print(scorer.fmt_table(scores["all"], "presidio"))
            rows["presidio"] = summary("presidio", scores, peer.seconds, len(docs), kb)
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
                    "per_pass_docs_per_s_ratios": [
                        a / b
                        for a, b in zip(
                            ours["passes_docs_per_s"], peer["passes_docs_per_s"], strict=True
                        )
                    ],
                    "micro_f1_overlap_ratio": ours["all"]["micro_f1_overlap"]
                    / max(peer["all"]["micro_f1_overlap"], 1e-9),
                }
                r = ratios[name]
                print(f"   ratio {name}/presidio: speed x{r['docs_per_s_ratio']:.1f} (medians), "
                      f"F1 x{r['micro_f1_overlap_ratio']:.2f}")  # fmt: skip
    elif not PEER_PY.exists():
        print("   (no .venv-peers: run scripts/bench_peers.sh to compare with Presidio)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"data": str(data), "docs": n_docs, "runs": rows,
                                   "timing": "single process; median of interleaved passes",
                                   "ratios_vs_presidio": ratios}, indent=1))  # fmt: skip
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    raise SystemExit(main())
