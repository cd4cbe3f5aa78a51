"""``privault mask`` (table files to masked copies) and ``privault anonymize`` (text).

Both call :class:`~privault.app.masking.MaskingService`. Keyed operators
(hash, encrypt, fpe, fake, date_shift) need the project key: ``--key-file``
(32+ raw bytes, or hex/base64 text) until the key hierarchy provides it.
Reports name columns, rules and counts, never values.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from privault.app.masking import MaskingService
from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import DeidKeys, MaskOptions, MaskReport, load_policy
from privault.interfaces.cli.common import err, out, platform, request
from privault.interfaces.cli.mask_db import (
    DbArgs,
    DraftOpt,
    FromScanOpt,
    ScanArg,
    is_url,
    mask_database,
)

__all__ = ["register"]

PolicyOpt = Annotated[Path, typer.Option("--policy", "-p", help="YAML de-identification policy.")]
ProjectOpt = Annotated[
    str,
    typer.Option(help="Masking project: its managed key keeps pseudonyms consistent."),
]
MaskPolicyOpt = Annotated[
    Path | None,
    typer.Option("--policy", "-p", help="YAML de-identification policy (or --from-scan)."),
]
KeyOpt = Annotated[Path | None, typer.Option("--key-file", help="Project key for keyed operators.")]


def _key(path: Path | None) -> Secret[bytes] | None:
    if path is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path.name}: cannot read the key file ({exc.strerror})") from None
    text = raw.strip()
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            decoded = decode(text.decode("ascii"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            continue
        if len(decoded) >= 32:
            return Secret(decoded)
    return Secret(raw)


def _pairs(text: str | None) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in (text or "").split(","):
        if item.strip():
            column, sep, pii = item.partition("=")
            if not sep:
                raise InvalidInput("--types takes column=PII_TYPE pairs, comma-separated")
            pairs[column.strip()] = pii.strip()
    return pairs


def _names(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(c.strip() for c in text.split(",") if c.strip())


def _render(report: MaskReport) -> None:
    table = Table(title=f"{report.source} -> {report.dest}")
    for head in ("column", "action", "rule", "why", "changed"):
        table.add_column(head)
    for c in report.columns:
        found = ", ".join(f"{t}:{n}" for t, n in sorted(c.entities.items()))
        rule = f"{c.rule} [{found}]" if found else c.rule
        table.add_row(c.column, c.action, rule, c.reason, str(c.changed))
    out.print(table)
    out.print(f"rows: {report.rows_in} in, {report.rows_out} out ({report.seconds}s)")
    if report.k_anonymity is not None:
        ka = report.k_anonymity
        levels = "; ".join(f"{lvl.column}: {lvl.description}" for lvl in ka.levels)
        out.print(
            f"k={ka.k} reached by {levels}; suppressed {ka.suppressed_rows} row(s); "
            f"information loss {ka.information_loss:.2%}"
        )
    if report.risk is not None:
        r = report.risk
        extra = "".join(
            f"; l({s})={r.l_diversity[s]}, t({s})={r.t_closeness[s]:.3f}" for s in r.sensitive
        )
        out.print(
            f"risk: k={r.k} over {', '.join(r.quasi_identifiers)} ({r.classes} classes){extra}"
        )


def mask(
    source: Annotated[
        str, typer.Argument(help="CSV, JSONL, Parquet or XLSX file, or a database URL.")
    ],
    dest: Annotated[
        str,
        typer.Argument(
            help="The masked copy (format from its extension), or an empty database URL."
        ),
    ],
    scan: ScanArg = None,
    policy: MaskPolicyOpt = None,
    key_file: KeyOpt = None,
    project: ProjectOpt = "default",
    k: Annotated[
        int | None,
        typer.Option(
            "--k",
            min=2,
            help="Generalise the quasi-identifiers until k holds (files: rows still below "
            "k are dropped; databases: per table, those rows stay, their non-key "
            "quasi-identifiers become *; budget: risk.max_suppression).",
        ),
    ] = None,
    quasi: Annotated[
        str | None, typer.Option(help="Quasi-identifier columns, a,b (databases: t.a).")
    ] = None,
    sensitive: Annotated[str | None, typer.Option(help="Sensitive columns, a,b.")] = None,
    types: Annotated[
        str | None, typer.Option(help="PII types: col=TYPE,… (databases: t.col=TYPE).")
    ] = None,
    report_json: Annotated[
        Path | None, typer.Option("--report", help="Also write the report as JSON.")
    ] = None,
    fingerprint: Annotated[
        bool,
        typer.Option(help="Mark the fake values uniquely for this copy and record it (trace)."),
    ] = False,
    tenant: Annotated[
        str | None, typer.Option(help="Tenant whose vault keeps 'tokenize kind: vault' tokens.")
    ] = None,
    from_scan: FromScanOpt = False,
    draft_policy: DraftOpt = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Databases: continue an interrupted copy in DEST.")
    ] = False,
    restart: Annotated[
        bool,
        typer.Option("--restart", help="Databases: drop an earlier privault copy in DEST, redo."),
    ] = False,
    batch_rows: Annotated[
        int, typer.Option("--batch-rows", min=1, help="Databases: rows per batch.")
    ] = 5_000,
    engine: Annotated[
        str, typer.Option("--engine", help="local (this process) or spark (datasets on Spark).")
    ] = "local",
    spark_master: Annotated[
        str, typer.Option("--spark-master", help="With --engine spark: local[*] or a cluster URL.")
    ] = "local[*]",
) -> None:
    """Write a masked copy of SOURCE to DEST under a policy, then report what changed.

    SOURCE and DEST are table files, or SQLAlchemy URLs of two databases
    (sqlite:///a.db, postgresql+psycopg://…): the schema is copied, keys stay
    consistent, rows stream in batches, and an interrupted copy is resumable
    (with --k, it keeps the generalisation levels it started with). A k that
    cannot be reached is refused before anything is written.
    """
    if engine == "spark":
        refused = (k, quasi, sensitive, fingerprint, tenant, from_scan, draft_policy, scan)
        if any(x for x in refused):
            raise InvalidInput(
                "--engine spark takes --policy, --types, --key-file and --project only"
            )
        if policy is None:
            raise InvalidInput("--engine spark needs --policy")
        from privault.interfaces.cli.spark_cmds import mask_on_spark  # the optional extra

        mask_on_spark(
            source,
            dest,
            policy,
            key_file=key_file,
            project=project,
            types=types,
            master=spark_master,
            report_json=report_json,
        )
        return
    if engine != "local":
        raise InvalidInput(f"unknown engine {engine!r}; valid: local, spark")
    if is_url(source) or is_url(dest):
        if fingerprint or tenant is not None:
            raise InvalidInput("--fingerprint and --tenant work for table files, not databases")
        db = DbArgs(
            from_scan, scan, draft_policy, resume, restart, batch_rows, quasi, sensitive, types, k
        )
        resolve = lambda service: _resolve_key(service, key_file, project)  # noqa: E731
        mask_database(source, dest, policy, db, resolve, report_json)
        return
    if policy is None or from_scan or scan is not None or draft_policy is not None:
        raise InvalidInput(
            "table files need --policy; --from-scan and --draft-policy are for databases"
        )
    src_path, dest_path = Path(source), Path(dest)
    opts = MaskOptions(
        pii_types=_pairs(types), quasi_identifiers=_names(quasi), sensitive=_names(sensitive), k=k
    )
    rules = load_policy(policy)
    plat = platform()  # opened once: unsealing the keyfile is deliberately slow
    service = plat.masking
    columns = (TextColumn("masking"), BarColumn(), TextColumn("{task.completed} rows"))
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("mask", total=None)
        project_key = _resolve_key(service, key_file, project)
        key: Secret[bytes] | DeidKeys = project_key
        if tenant is not None:  # vault-backed tokens: issued in that tenant's vault, audited
            key = plat.deid_tokens.keys(request(), tenant, project_key)
        track = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
        if fingerprint:  # leak tracing: the export service marks, records and audits
            marked = plat.exports.mask_marked(
                request(),
                src_path,
                dest_path,
                rules,
                key,
                project=project,
                options=opts,
                progress=track,
            )
            report, marks = marked.report, ", ".join(marked.record.columns)
            note = f"export {marked.record.id} recorded; marked columns: {marks}"
        else:
            report = service.mask_file(
                request(), src_path, dest_path, rules, key, options=opts, progress=track
            )
    _render(report)
    if fingerprint:
        out.print(note)
    if report_json is not None:
        report_json.write_text(json.dumps(report.to_dict(), indent=2) + "\n")


def anonymize(
    files: Annotated[list[Path] | None, typer.Argument(help="Text files (default: stdin).")] = None,
    policy: PolicyOpt = Path("policy.yaml"),
    key_file: KeyOpt = None,
    project: ProjectOpt = "default",
    jsonl: Annotated[bool, typer.Option("--jsonl", help='Lines are {"id","text"}.')] = False,
) -> None:
    """Detect PII in text and replace it under a policy (JSONL in: JSONL out)."""
    rules = load_policy(policy)
    texts, ids = _texts(files, jsonl)
    service = _service()
    results = service.anonymize_texts(
        request(), texts, rules, _resolve_key(service, key_file, project)
    )
    for rid, result in zip(ids, results, strict=True):
        if jsonl:
            items = [
                {"start": i.start, "end": i.end, "type": i.entity_type, "operator": i.operator}
                for i in result.items
            ]
            sys.stdout.write(json.dumps({"id": rid, "text": result.text, "items": items}) + "\n")
        else:
            sys.stdout.write(result.text)


def _texts(files: list[Path] | None, jsonl: bool) -> tuple[list[str], list[str]]:
    raw = (
        [(str(f), f.read_text(encoding="utf-8")) for f in files]
        if files
        else [("-", sys.stdin.read())]
    )
    if not jsonl:
        return [t for _, t in raw], [n for n, _ in raw]
    texts, ids = [], []
    for name, body in raw:
        for lineno, line in enumerate(body.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                obj = None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise InvalidInput(f"{name}:{lineno}: not a JSON object with a 'text' string")
            texts.append(obj["text"])
            ids.append(str(obj.get("id", f"{name}:{lineno}")))
    return texts, ids


def _service() -> MaskingService:
    return platform().masking


def _resolve_key(service: MaskingService, key_file: Path | None, project: str) -> Secret[bytes]:
    """An explicit key file wins; otherwise the project's managed key."""
    explicit = _key(key_file)
    return explicit if explicit is not None else service.project_key(project)


def register(app: typer.Typer) -> None:
    """Add ``mask`` and ``anonymize`` to the main ``privault`` app."""
    app.command("mask")(mask)
    app.command("anonymize")(anonymize)
