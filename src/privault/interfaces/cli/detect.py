"""``privault detect``: find PII in text files or JSONL records, print JSONL findings.

Exit codes: 0 all inputs analysed; 1 some input was skipped (binary, undecodable,
unreadable, or a bad JSONL line) — a summary goes to stderr; 2 usage error.
Matched values are printed only with ``--show-values``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import Progress

from privault.core.errors import PrivaultError
from privault.detect import Analyzer, AnalyzerConfig, Finding

__all__ = ["register"]

_BATCH = 64
_SNIFF = 8192


@dataclass(slots=True)
class _Run:
    """Per-invocation state: where to write, what was skipped."""

    analyzer: Analyzer
    out: TextIO
    show_values: bool
    entities: list[str] | None
    skipped: list[str] = field(default_factory=list)

    def emit(self, records: list[tuple[str, str]]) -> None:
        """Analyse one batch of ``(id, text)`` and write one JSON line per record."""
        texts = [t for _, t in records]
        results = self.analyzer.analyze_many(texts, self.entities)
        for (rid, text), found in zip(records, results, strict=True):
            ents = [_entity(f, text if self.show_values else None) for f in found]
            self.out.write(json.dumps({"id": rid, "entities": ents}, ensure_ascii=False) + "\n")


def _entity(f: Finding, text: str | None) -> dict[str, object]:
    row: dict[str, object] = {
        "type": f.type,
        "start": f.start,
        "end": f.end,
        "score": round(f.score, 3),
    }
    if text is not None:
        row["value"] = text[f.start : f.end]
    return row


def _decode(data: bytes) -> str | None:
    """Return the UTF-8 text of ``data``, or ``None`` when it is binary or undecodable."""
    if b"\x00" in data[:_SNIFF]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _read(name: str, run: _Run) -> str | None:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        run.skipped.append(f"{name}: unreadable ({exc.strerror or 'error'})")
        return None
    text = _decode(data)
    if text is None:
        run.skipped.append(f"{name}: binary or not UTF-8")
    return text


def _jsonl_records(name: str, text: str, run: _Run) -> Iterator[tuple[str, str]]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            run.skipped.append(f"{name}:{lineno}: not a JSON object with a 'text' string")
            continue
        yield str(obj.get("id", f"{name}:{lineno}")), obj["text"]


def _records(
    files: list[str], jsonl: bool, run: _Run, progress: Progress | None
) -> Iterator[tuple[str, str]]:
    task = progress.add_task("detect", total=len(files)) if progress else None
    for name in files:
        text = _read(name, run)
        if text is not None:
            yield from _jsonl_records(name, text, run) if jsonl else [(name, text)]
        if progress is not None and task is not None:
            progress.advance(task)


def _process(files: list[str], jsonl: bool, run: _Run) -> None:
    use_bar = any(f != "-" for f in files)
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not use_bar) as progress:
        records = _records(files, jsonl, run, progress)
        while batch := list(islice(records, _BATCH)):
            run.emit(batch)


def detect(
    files: Annotated[list[str] | None, typer.Argument(help="Text files ('-' = stdin).")] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help='Inputs are JSONL lines {"id","text"}.')
    ] = False,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Include matched text.")
    ] = False,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="No NER model.")] = False,
    entities: Annotated[str | None, typer.Option(help="Comma-separated entity types.")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Minimum score.")] = 0.5,
    recognizers: Annotated[
        Path | None, typer.Option(help="YAML file of custom recognizers.")
    ] = None,
) -> None:
    """Find PII in FILES (or stdin) and print JSONL findings with str offsets."""
    try:
        config = AnalyzerConfig(
            rules_only=rules_only,
            threshold=threshold,
            custom_recognizers=str(recognizers) if recognizers else None,
        )
        wanted = [e.strip() for e in entities.split(",") if e.strip()] if entities else None
        run = _Run(Analyzer(config), sys.stdout, show_values, wanted)
        _process(files or ["-"], jsonl, run)
    except PrivaultError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    if run.skipped:
        for line in run.skipped:
            typer.echo(f"skipped {line}", err=True)
        typer.echo(f"{len(run.skipped)} input(s) skipped", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``detect`` command to the main ``privault`` Typer app."""
    app.command("detect")(detect)
