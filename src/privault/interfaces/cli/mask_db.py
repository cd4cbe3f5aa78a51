"""``privault mask`` between two databases: options, per-table progress bars, report.

Thin: parses the database options, drafts a policy from a scan
(:class:`~privault.app.masking_draft.PolicyDrafter`) or loads one, and calls
:meth:`~privault.app.masking.MaskingService.mask_database`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from privault.app.masking import MaskingService
from privault.app.masking_draft import FRESH_SCAN, PolicyDrafter
from privault.app.masking_sql import DatabaseOptions
from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import Policy, load_policy
from privault.deid.sql import DatabaseMaskReport
from privault.interfaces.cli.common import err, out, platform, request

__all__ = ["DbArgs", "DraftOpt", "FromScanOpt", "ScanArg", "is_url", "mask_database"]

FromScanOpt = Annotated[
    bool,
    typer.Option(
        "--from-scan",
        help="Databases: draft the policy from a scan (SCAN, default: scan SOURCE now).",
    ),
]
ScanArg = Annotated[
    str | None,
    typer.Argument(
        help="With --from-scan: a tenant slug (its data map) or a `scan --format json` file.",
        show_default=False,
    ),
]
DraftOpt = Annotated[
    Path | None,
    typer.Option(
        "--draft-policy", help="With --from-scan: write the drafted YAML here, copy nothing."
    ),
]


def is_url(target: str) -> bool:
    """True for a database URL (``sqlite:///…``, ``postgresql+psycopg://…``)."""
    return "://" in target or target.startswith("sqlite:")


def _names(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(c.strip() for c in text.split(",") if c.strip())


@dataclass(frozen=True, slots=True)
class DbArgs:
    """The options of ``mask`` that a database copy reads."""

    from_scan: bool
    scan: str | None
    draft_policy: Path | None
    resume: bool
    restart: bool
    batch_rows: int
    quasi: str | None
    sensitive: str | None
    types: str | None
    k: int | None

    def check(self, policy: Path | None) -> None:
        """Refuse contradictory options (exit 2)."""
        if (policy is None) != self.from_scan:
            raise InvalidInput("give exactly one of --policy and --from-scan")
        if self.draft_policy is not None and not self.from_scan:
            raise InvalidInput("--draft-policy needs --from-scan")
        if self.scan is not None and not self.from_scan:
            raise InvalidInput(f"unexpected argument {self.scan!r} (SCAN goes with --from-scan)")

    def pii_types(self) -> dict[str, dict[str, str]] | None:
        """``--types table.column=TYPE,…`` by table (None: classify when the policy needs it)."""
        if self.types is None:
            return None
        found: dict[str, dict[str, str]] = {}
        for item in self.types.split(","):
            address, sep, pii = item.strip().partition("=")
            table, dot, column = address.strip().partition(".")
            if not (sep and dot and table and column):
                raise InvalidInput("--types takes table.column=PII_TYPE pairs for databases")
            found.setdefault(table, {})[column] = pii.strip()
        return found

    def risk(self, policy: Policy) -> Policy:
        """The policy with ``--quasi`` / ``--sensitive`` (``table.column``) and ``--k`` applied."""
        quasi, sens = _names(self.quasi), _names(self.sensitive)
        given = (("quasi_identifiers", quasi), ("sensitive", sens), ("k", self.k))
        update = {name: value for name, value in given if value is not None}
        if not update:
            return policy
        return policy.model_copy(update={"risk": policy.risk.model_copy(update=update)})


class _TableBars:
    """One Rich progress bar per table on stderr, with row counts."""

    def __init__(self) -> None:
        columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn())
        self._bars = Progress(*columns, TextColumn("rows"), console=err, transient=False)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _TableBars:
        self._bars.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bars.stop()

    def update(self, table: str, done: int, total: int | None) -> None:
        """Progress of one table."""
        if table not in self._tasks:
            self._tasks[table] = self._bars.add_task(table, total=total)
        self._bars.update(self._tasks[table], completed=done, total=total)


def _render(report: DatabaseMaskReport) -> None:
    table = Table(title=f"{report.source} -> {report.dest}")
    for head in ("table", "column", "action", "rule", "why", "changed"):
        table.add_column(head)
    for t in report.tables:
        for c in t.columns:
            found = ", ".join(f"{e}:{n}" for e, n in sorted(c.entities.items()))
            rule = f"{c.rule} [{found}]" if found else c.rule
            table.add_row(t.source, c.column, c.action, rule, c.reason, str(c.changed))
    out.print(table)
    for t in report.tables:
        line = f"{t.source}: {t.rows_in} rows in, {t.rows_out} out"
        if t.risk is not None:
            line += f"; k={t.risk.k} over {', '.join(t.risk.quasi_identifiers)}"
        out.print(line)
        ka = t.k_anonymity
        if ka is not None:
            levels = "; ".join(f"{lvl.column}: {lvl.description}" for lvl in ka.levels)
            out.print(
                f"  k={ka.k} reached by {levels}; quasi-identifiers suppressed (*) in "
                f"{ka.suppressed_rows} row(s); information loss {ka.information_loss:.2%}"
            )
    resumed = " (resumed)" if report.resumed else ""
    out.print(f"copy complete{resumed}: {report.rows} rows in {len(report.tables)} tables")


def mask_database(
    source: str,
    dest: str,
    policy: Path | None,
    db: DbArgs,
    resolve_key: Callable[[MaskingService], Secret[bytes]],
    report_json: Path | None,
) -> None:
    """The database path of ``mask``: draft or load the policy, copy, render."""
    if not (is_url(source) and is_url(dest)) and db.draft_policy is None:
        raise InvalidInput("a database copy needs two database URLs (SOURCE and DEST)")
    db.check(policy)
    ctx, cfg = request(), platform()
    if db.from_scan:
        drafted = PolicyDrafter(cfg.discovery).draft(ctx, source, db.scan or FRESH_SCAN)
        if db.draft_policy is not None:
            db.draft_policy.write_text(drafted.yaml, encoding="utf-8")
            out.print(
                f"drafted a policy for {drafted.tables} table(s) and {drafted.pii_columns} "
                f"column(s) with PII: {db.draft_policy} (review it, then use --policy)"
            )
            return
        rules = drafted.policy
    else:
        assert policy is not None  # db.check: exactly one of the two
        rules = load_policy(policy)
    options = DatabaseOptions(db.pii_types(), db.batch_rows, db.resume, db.restart)
    service = cfg.masking
    with _TableBars() as bars:
        report = service.mask_database(
            ctx, source, dest, db.risk(rules), resolve_key(service), options=options,
            progress=bars.update,
        )  # fmt: skip
    _render(report)
    if report_json is not None:
        report_json.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
