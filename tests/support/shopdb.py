"""A small shop database (customers -> orders -> order_items) on any SQLAlchemy URL,
and the checks masked copies of it must pass."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    insert,
    text,
)

#: Columns holding PII in the shop database, as (table, column).
PII = (
    ("customers", "name"),
    ("customers", "email"),
    ("customers", "phone"),
    ("customers", "ssn"),
    ("customers", "card"),
    ("orders", "ship_to"),
)
FIRST = ["Alice", "Bruno", "Clara", "Daniel", "Emma", "Henry", "Dalia", "Farah", "Peter"]
LAST = ["Okafor", "Ito", "Lund", "Moreau", "Novak", "Haddad"]
CITIES = ["Leeds", "Bristol", "Dundee", "Cardiff", "Norwich"]


def shop_metadata() -> MetaData:
    """The three tables with PK, FK, NOT NULL and unique constraints."""
    meta = MetaData()
    Table(
        "customers",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("code", String(12), nullable=False),
        Column("name", String(80), nullable=False),
        Column("email", String(120), nullable=False),
        Column("phone", String(40)),
        Column("ssn", String(11)),
        Column("card", String(19)),
        Column("zip", String(5)),
        Column("born", Date),
        UniqueConstraint("code", name="uq_customers_code"),
        UniqueConstraint("email", name="uq_customers_email"),
    )
    Table(
        "orders",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_code", String(12), ForeignKey("customers.code"), nullable=False),
        Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
        Column("ship_to", String(200)),
        Column("note", Text),
        Column("total", Numeric(10, 2), nullable=False),
    )
    Table(
        "order_items",
        meta,
        Column("order_id", Integer, ForeignKey("orders.id"), primary_key=True),
        Column("line", Integer, primary_key=True),
        Column("sku", String(20), nullable=False),
        Column("qty", Integer, nullable=False),
    )
    return meta


def _luhn(body: str) -> str:
    from privault.crypto.fpe import luhn_valid

    return next(body + c for c in "0123456789" if luhn_valid(body + c))


def build_shop(url: str, customers: int = 60, seed: int = 5) -> dict[str, list[dict[str, object]]]:
    """Create and fill the shop database at ``url``; return the rows written."""
    rng = random.Random(seed)
    cust = []
    for i in range(1, customers + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        cust.append(
            {
                "id": i,
                "code": f"C{10000 + i}",
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}{i}@mail{i % 7}.example",
                "phone": f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                "ssn": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
                "card": _luhn(f"4{rng.randint(10**13, 10**14 - 1)}"),
                "zip": f"{rng.randint(100, 102)}{rng.randint(10, 12)}",
                "born": date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            }
        )
    orders, items = [], []
    for oid in range(1, customers * 3 + 1):
        c = rng.choice(cust)
        orders.append(
            {
                "id": oid,
                "customer_code": c["code"],
                "customer_id": c["id"],
                "ship_to": f"{rng.randint(1, 99)} High Street, {rng.choice(CITIES)}",
                "note": f"Call {c['name']} at {c['email']} before delivery"
                if oid % 2
                else "leave at the door",
                "total": f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}",
            }
        )
        for line in range(1, rng.randint(1, 3) + 1):
            items.append(
                {"order_id": oid, "line": line, "sku": f"SKU-{rng.randint(1, 40)}", "qty": line}
            )
    engine = create_engine(url)
    meta = shop_metadata()
    with engine.begin() as conn:
        meta.create_all(conn)
        conn.execute(insert(meta.tables["customers"]), cust)
        conn.execute(insert(meta.tables["orders"]), orders)
        conn.execute(insert(meta.tables["order_items"]), items)
    engine.dispose()
    return {"customers": cust, "orders": orders, "order_items": items}


JOINS = {
    "orders-customers by id": (
        "SELECT count(*) FROM orders o JOIN customers c ON o.customer_id = c.id"
    ),
    "orders-customers by code": (
        "SELECT count(*) FROM orders o JOIN customers c ON o.customer_code = c.code"
    ),
    "items-orders-customers": (
        "SELECT count(*) FROM order_items i JOIN orders o ON i.order_id = o.id "
        "JOIN customers c ON o.customer_code = c.code"
    ),
    "orders per customer code": (
        "SELECT count(*) FROM (SELECT customer_code FROM orders GROUP BY customer_code) g"
    ),
}


def rows_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in ("customers", "orders", "order_items"):
                pk = "order_id, line" if table == "order_items" else "id"
                out[table] = [
                    tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY {pk}"))
                ]
            return out
    finally:
        engine.dispose()


def scalar(url: str, sql: str) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def pii_values(data: dict[str, list[dict[str, object]]]) -> set[str]:
    return {str(r[c]) for t, c in PII for r in data[t] if r[c] is not None} | {
        str(r["born"]) for r in data["customers"]
    }


def assert_no_pii_survives(data: dict[str, list[dict[str, object]]], dest: str) -> None:
    """Compare every source PII value with every value of every table of the copy."""
    pii = pii_values(data)
    copied = [
        str(v) for rows in rows_of(dest).values() for row in rows for v in row if v is not None
    ]
    assert len(copied) > 30 * len(data["customers"])  # every table was read
    exact = pii.intersection(copied)
    assert not exact, sorted(exact)[:5]
    inside = {p for p in pii for v in copied if len(v) > len(p) and p in v}
    assert not inside, sorted(inside)[:5]


SHOP_POLICY = """
entities:
  PERSON: fake
  EMAIL_ADDRESS: {operator: hash, length: 24}
  PHONE_NUMBER: fake
  LOCATION: fake
columns:
  customers.code: hash
  customers.name: {operator: fake, kind: PERSON}
  customers.email: {operator: hash, length: 24}
  customers.phone: {operator: fake, kind: PHONE_NUMBER}
  ssn: {operator: mask, keep_last: 0}
  card: fpe
  customers.born: {operator: generalize, kind: date, level: year}
  orders.ship_to: {operator: fake, kind: LOCATION}
  orders.note: detect
  zip: keep
  order_items.sku: keep
unlisted: detect
risk: {quasi_identifiers: [customers.zip, customers.born]}
"""


MakeUrl = Callable[[str], str]


class Interrupted(Exception):
    """Raised from a progress callback to cut a copy short."""


def url_maker(tmp_path: Path, backend: str) -> MakeUrl:
    """Fresh database URLs by name: SQLite files under ``tmp_path``, or new PostgreSQL databases."""
    from tests.conftest import create_pg_database, pg_admin_url

    def make(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / name}.db"
        return create_pg_database(pg_admin_url(), f"pv_{name}_{secrets.token_hex(4)}")

    return make
