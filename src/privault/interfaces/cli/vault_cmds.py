"""``privault vault …``: put, get, list, find, import, export, shred, tokens."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from privault.app.gate import RecordView
from privault.app.transfer import detect_format, read_records, write_records
from privault.core.errors import InvalidInput
from privault.interfaces.cli.common import err, out, platform, request

vault_app = typer.Typer(
    help="Encrypted customer records, read only through the gate.", no_args_is_help=True
)

TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="Tenant slug or id.")]
TypeOpt = Annotated[str, typer.Option("--type", help="Record type.")]
PurposeOpt = Annotated[str, typer.Option(help="Why you read the data (audited).")]
ViewOpt = Annotated[str, typer.Option(help="plain, masked, token or redacted.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json (JSONL).")]
FieldsOpt = Annotated[
    str | None, typer.Option("--fields", help="Comma-separated fields to read (default: all).")
]


def register(app: typer.Typer) -> None:
    """Add ``vault`` to ``app``."""
    app.add_typer(vault_app, name="vault")


def _show(records: list[RecordView], fmt: str) -> None:
    if fmt == "json":
        for r in records:
            doc = {
                "id": r.id,
                "record_type": r.record_type,
                "subject_id": r.subject_id,
                "view": r.view,
                "fields": r.fields,
            }
            out.print(json.dumps(doc, default=str), markup=False)
        return
    if fmt != "table":
        raise InvalidInput(f"unknown output format {fmt!r}; valid: table, json")
    columns = list(dict.fromkeys(k for r in records for k in r.fields))
    view = records[0].view if records else "-"
    table = Table(title=f"{len(records)} record(s), view: {view}")
    for name in ["id", *columns]:
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    for r in records:
        table.add_row(r.id, *(str(r.fields.get(c, "")) for c in columns))
    out.print(table)


def _fields(value: str | None) -> list[str] | None:
    return [f.strip() for f in value.split(",") if f.strip()] if value else None


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InvalidInput(f"--set expects FIELD=VALUE, got {name or 'an empty name'}")
        values[name] = value
    return values


@vault_app.command("put")
def put(
    tenant: TenantOpt,
    record_type: TypeOpt,
    set_: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE (repeat).")],
) -> None:
    """Store one record; prints its id."""
    rid = platform().vault.put(request(), tenant, record_type, _parse_sets(set_))
    out.print(rid)


@vault_app.command("update")
def update(
    tenant: TenantOpt,
    record_id: str,
    set_: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE (repeat).")],
) -> None:
    """Overwrite fields of one record."""
    platform().vault.update(request(), tenant, record_id, _parse_sets(set_))
    out.print(f"updated {record_id}")


@vault_app.command("get")
def get(
    tenant: TenantOpt,
    record_ids: list[str],
    purpose: PurposeOpt,
    view: ViewOpt = "masked",
    fmt: FormatOpt = "table",
    fields: FieldsOpt = None,
) -> None:
    """Read records by id through the gate (audited)."""
    records = platform().gate.read(
        request(), tenant, record_ids, purpose=purpose, view=view, fields=_fields(fields)
    )
    _show(records, fmt)


@vault_app.command("list")
def list_(
    tenant: TenantOpt,
    purpose: PurposeOpt,
    record_type: Annotated[str | None, typer.Option("--type")] = None,
    view: ViewOpt = "masked",
    fmt: FormatOpt = "table",
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
    after: Annotated[str | None, typer.Option(help="Continue after this id.")] = None,
    fields: FieldsOpt = None,
) -> None:
    """Show a page of records through the gate (audited)."""
    records = platform().gate.page(
        request(),
        tenant,
        record_type,
        purpose=purpose,
        view=view,
        after=after,
        limit=limit,
        fields=_fields(fields),
    )
    _show(records, fmt)


@vault_app.command("find")
def find(
    tenant: TenantOpt,
    record_type: TypeOpt,
    field: Annotated[str, typer.Option(help="A searchable field.")],
    value: Annotated[str, typer.Option(help="Exact value (matched by blind index).")],
    purpose: PurposeOpt,
    view: ViewOpt = "masked",
    fmt: FormatOpt = "table",
    fields: FieldsOpt = None,
) -> None:
    """Find records whose field equals a value, without decrypting the others."""
    records = platform().gate.find(
        request(),
        tenant,
        record_type,
        field,
        value,
        purpose=purpose,
        view=view,
        fields=_fields(fields),
    )
    if not records:
        err.print("no match")
        raise typer.Exit(1)
    _show(records, fmt)


@vault_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV or JSONL file ('-' for stdin).")],
    tenant: TenantOpt,
    record_type: TypeOpt,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl.")] = None,
) -> None:
    """Import records in one transaction: all or nothing, the failing line reported."""
    p = platform()
    kind = detect_format(file, fmt) if str(file) != "-" else (fmt or "jsonl")
    total = _count_lines(file, kind) if str(file) != "-" else None
    stream = sys.stdin if str(file) == "-" else _open(file)
    with (
        stream,
        Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
        ) as bar,
    ):
        task = bar.add_task("import", total=total)
        ids = p.vault.put_numbered(
            request(),
            tenant,
            record_type,
            read_records(stream, kind),
            progress=lambda n: bar.advance(task, n),
        )
    out.print(f"imported {len(ids)} record(s) into {tenant}/{record_type}")


def _open(file: Path) -> Any:
    try:
        return file.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None


def _count_lines(file: Path, kind: str) -> int | None:
    try:
        with file.open("rb") as fh:
            lines = sum(1 for _ in fh)
    except OSError:
        return None
    return max(lines - 1, 0) if kind == "csv" else lines


@vault_app.command("export")
def export(
    tenant: TenantOpt,
    purpose: PurposeOpt,
    output: Annotated[Path, typer.Option("--output", "-o", help="File ('-': stdout).")],
    record_type: Annotated[str | None, typer.Option("--type")] = None,
    view: ViewOpt = "masked",
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl.")] = None,
) -> None:
    """Export records through the gate, page by page (each page audited)."""
    p = platform()
    kind = detect_format(output, fmt) if str(output) != "-" else (fmt or "jsonl")
    t = p.tenants.get(tenant)
    columns = list(
        dict.fromkeys(
            f
            for s, _v in p.tenants.schemas(t.id)
            if record_type in (None, s.record_type)
            for f in s.fields
        )
    )
    pages = p.gate.pages(request(), tenant, record_type, purpose=purpose, view=view)
    if str(output) == "-":
        count = write_records(sys.stdout, pages, kind, columns)
    else:
        tmp = output.with_name(output.name + ".partial")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            count = write_records(fh, pages, kind, columns)
        tmp.replace(output)
    err.print(f"exported {count} record(s) ({view} view)")


@vault_app.command("shred")
def shred(
    tenant: TenantOpt,
    subject_id: Annotated[str, typer.Argument(help="The data subject to erase.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Crypto-shred a data subject: its key is destroyed, its data unreadable for good."""
    if not yes and not typer.confirm("Destroy this subject's key? This cannot be undone"):
        raise typer.Exit(1)
    result = platform().vault.shred(request(), tenant, subject_id)
    out.print(
        f"shredded: key destroyed={result.key_destroyed}, "
        f"{result.records_deleted} record(s), {result.tokens_deleted} token(s) deleted"
    )


@vault_app.command("tokenize")
def tokenize(
    tenant: TenantOpt,
    values: list[str],
    kind: Annotated[str, typer.Option(help="random, deterministic or fpe.")],
    scope: Annotated[str, typer.Option(help="Token namespace.")] = "default",
    pii: Annotated[str | None, typer.Option(help="PII type (for fpe).")] = None,
) -> None:
    """Tokenize values (one token per line, in order)."""
    for token in platform().vault.tokenize(
        request(), tenant, values, kind=kind, scope=scope, pii=pii
    ):
        out.print(token)


@vault_app.command("detokenize")
def detokenize(
    tenant: TenantOpt,
    tokens: list[str],
    purpose: PurposeOpt,
    scope: Annotated[str | None, typer.Option(help="Scope (fpe).")] = None,
    pii: Annotated[str | None, typer.Option(help="PII type (fpe).")] = None,
) -> None:
    """Turn tokens back into values through the gate (audited)."""
    for value in platform().gate.detokenize(
        request(), tenant, tokens, purpose=purpose, scope=scope, pii=pii
    ):
        out.print(value)
