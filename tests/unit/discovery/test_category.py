"""Dataset category rules, each with its reason, and sensitivity."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from privault.discovery import sensitivity
from tests.unit.discovery.conftest import table_of

fake = Faker("en_US")
Faker.seed(11)
rnd = random.Random(11)
N = 200

CUSTOMERS = {
    "customer_id": [f"C{i:05d}" for i in range(N)],
    "name": [fake.name() for _ in range(N)],
    "email": [fake.email() for _ in range(N)],
    "phone": [fake.phone_number() for _ in range(N)],
}
ORDERS = {
    "order_id": [f"O{i:06d}" for i in range(N)],
    "customer_id": [f"C{rnd.randint(0, 40):05d}" for _ in range(N)],
    "ordered_at": [fake.date_time_this_year().isoformat() for _ in range(N)],
    "total": [f"{rnd.uniform(5, 500):.2f}" for _ in range(N)],
}
PRODUCTS = {
    "sku": [f"SKU-{i}" for i in range(N)],
    "label": [fake.catch_phrase() for _ in range(N)],
    "segment": [rnd.choice(["retail", "b2b", "public"]) for _ in range(N)],
}
TICKETS = {
    "body": [fake.paragraph(nb_sentences=3) for _ in range(N)],
    "summary": [fake.sentence(nb_words=9) for _ in range(N)],
}


@pytest.mark.parametrize(
    ("columns", "category", "reason"),
    [
        (CUSTOMERS, "master", "contact fields"),  # one row per person with contact fields
        (ORDERS, "transactional", "timestamps"),  # timestamps, amounts, foreign keys
        (PRODUCTS, "reference", "lookup"),  # codes and labels, no people
        (TICKETS, "freeform", "free text"),  # mostly long text
    ],
)
def test_category(columns, category: str, reason: str) -> None:
    result = table_of(columns)
    assert result.category == category
    assert any(reason in r for r in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("types", "level"),
    [
        ((), "none"),
        (("URL",), "low"),
        (("EMAIL_ADDRESS", "PERSON"), "medium"),
        (("PERSON", "CREDIT_CARD"), "high"),
    ],
)
def test_sensitivity(types: tuple[str, ...], level: str) -> None:
    assert sensitivity(types) == level
