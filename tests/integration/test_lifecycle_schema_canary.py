"""The lifecycle tables come from migration l0001; no plaintext PII leaks anywhere."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, text

from privault.app.bootstrap import Platform
from privault.app.lifecycle import lifecycle_for
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.errors import PrivaultError
from privault.lifecycle.retention import parse_policies
from privault.lifecycle.tables import metadata as lifecycle_meta
from privault.vault.tables import metadata as vault_meta
from tests.support.data import customer

CANARY_NAME = "Zyxwvut Canarybird"
CANARY_MAIL = "canary.bird@leak.test"


def test_migrated_lifecycle_tables_match_declared(platform: Platform) -> None:
    merged = MetaData()
    for meta in (vault_meta, lifecycle_meta):
        for table in meta.tables.values():
            table.to_metadata(merged)
    mine = set(lifecycle_meta.tables)
    with platform.data.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, merged) if _table_of(d) in mine]
    assert diff == [], diff


def _table_of(diff: Any) -> str | None:
    """The table an Alembic autogenerate diff entry is about."""
    if isinstance(diff, list):  # modify_type / modify_nullable: (op, schema, table, column, …)
        return str(diff[0][2])
    op, *rest = diff
    if op in ("add_table", "remove_table"):
        return str(rest[0].name)
    if op in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        return str(rest[0].table.name)
    if op in ("add_fk", "remove_fk"):
        return str(rest[0].parent.name)
    if op in ("add_column", "remove_column"):
        return str(rest[1])
    return None


def test_no_plaintext_pii_in_logs_errors_events_or_tables(
    platform: Platform,
    tenant: str,
    admin: RequestContext,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    life = lifecycle_for(platform, parse_policies("policies:\n  - {keep: 10d}\n"))
    rid = platform.vault.put(
        admin, tenant, "customer", customer(9, name=CANARY_NAME, email=CANARY_MAIL)
    )
    platform.vault.put(admin, tenant, "customer", customer(8))
    errors: list[str] = []
    life.consent.set(admin, tenant, "C00009", "marketing", "withdrawn", method="form")
    for attempt in (
        lambda: life.gate.read(admin, tenant, [rid], purpose="marketing"),
        lambda: life.consent.set(admin, tenant, CANARY_MAIL + " x", "marketing", "granted"),
        lambda: life.dsr.open(admin, tenant, CANARY_NAME, "access"),
    ):
        try:
            attempt()
        except PrivaultError as exc:
            errors.append(str(exc))
    assert len(errors) == 3
    req = life.dsr.open(admin, tenant, "C00009", "rectification")
    life.dsr.verify(admin, tenant, req.id, method="email-link")
    life.dsr.advance(admin, tenant, req.id, record_id=rid, changes={"notes": CANARY_NAME})
    clock.advance(timedelta(days=11))
    owner = RequestContext(Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()))
    cert = life.retention.run(owner, tenant).certificate
    report = life.minimization.report(admin, tenant)
    events = [e.detail for e in platform.audit.search(limit=500)]
    with platform.data.engine.connect() as conn:
        tables = [
            json.dumps([list(map(str, r)) for r in conn.execute(text(f"SELECT * FROM {name}"))])
            for name in lifecycle_meta.tables
        ]
    blob = "\n".join(
        [caplog.text, *errors, json.dumps(cert), json.dumps(report.to_json()), str(events), *tables]
    )
    for canary in (CANARY_NAME, CANARY_MAIL, "Canarybird", "leak.test"):
        assert canary not in blob
