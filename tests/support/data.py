"""Test data: schemas and fake customers (no real person)."""

from __future__ import annotations

from typing import Any

CUSTOMER_SCHEMA = """
record_type: customer
category: master
subject_field: customer_id
fields:
  customer_id: {required: true, searchable: true}
  name: {pii: PERSON, required: true}
  email: {pii: EMAIL_ADDRESS, searchable: true, tokenize: deterministic}
  phone: {pii: PHONE_NUMBER, tokenize: fpe}
  card: {pii: CREDIT_CARD, tokenize: fpe}
  ssn: {pii: US_SSN, tokenize: random}
  birth_date: {pii: DATE_TIME, type: date}
  visits: {type: integer}
  notes: {category: freeform}
"""


def customer(i: int, **over: Any) -> dict[str, Any]:
    """A deterministic fake customer (no real person)."""
    doc = {
        "customer_id": f"C{i:05d}",
        "name": f"Testname Person{i}",
        "email": f"person{i}@example.test",
        "phone": f"+44 20 7946 {i % 10000:04d}",
        "card": "4111 1111 1111 1111",
        "ssn": "123-45-6789",
        "birth_date": "1980-02-29",
        "visits": i,
        "notes": f"called about order {i}",
    }
    doc.update(over)
    return doc
