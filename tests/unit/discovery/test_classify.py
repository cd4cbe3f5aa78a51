"""Column classification: value evidence first, names only as a hint (table-driven)."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from privault.detect.validators import luhn_valid
from privault.discovery.names import is_identifier_name, name_hint

fake = Faker(["en_US", "de_DE", "fr_FR", "es_ES", "nl_NL", "it_IT"])
Faker.seed(7)
rnd = random.Random(7)
N = 300


def _many(fn, n: int = N) -> list[str]:
    return [fn() for _ in range(n)]


def _luhn_invalid() -> str:
    while True:
        v = "4" + "".join(rnd.choice("0123456789") for _ in range(15))
        if not luhn_valid(v):
            return v


def _dirty(values: list[str]) -> list[str | None]:
    out: list[str | None] = []
    for i, v in enumerate(values):
        out.append(None if i % 7 == 0 else ("N/A" if i % 11 == 0 else f"  {v} "))
    return out


CASES = [
    # plain, well-named columns
    ("email", _many(fake.email), "EMAIL_ADDRESS"),
    ("phone", _many(lambda: fake["en_US"].phone_number()), "PHONE_NUMBER"),
    ("card_number", _many(fake.credit_card_number), "CREDIT_CARD"),
    ("iban", _many(fake.iban), "IBAN_CODE"),
    ("ssn", _many(lambda: fake["en_US"].ssn()), "US_SSN"),
    ("client_ip", _many(fake.ipv4), "IP_ADDRESS"),
    ("full_name", _many(fake.name), "PERSON"),
    ("street_address", _many(lambda: fake["en_US"].street_address()), "LOCATION"),
    # misleading names: the values decide
    ("contact", _many(fake.email), "EMAIL_ADDRESS"),  # e-mails under a vague name
    ("field_7", _many(fake.credit_card_number), "CREDIT_CARD"),  # cards under a meaningless name
    ("ref", _many(lambda: fake["en_US"].ssn()), "US_SSN"),  # dashed SSNs under a key-like name
    ("name", _many(lambda: fake.catch_phrase()), None),  # "name" holding product slogans
    ("phone", _many(lambda: f"SKU-{rnd.randint(10000, 99999)}"), None),  # "phone" holding SKUs
    ("email", _many(lambda: fake.word()), None),  # a hint without evidence is no answer
    # IDs that look like phone numbers: digits under key names are keys
    ("customer_no", _many(lambda: str(rnd.randint(2_000_000_000, 9_999_999_999))), None),
    ("order_id", _many(lambda: str(rnd.randint(10_000_000, 99_999_999))), None),
    # Luhn-invalid digit strings are not cards, whatever the name
    ("card_number", _many(_luhn_invalid), None),
    ("tracking", _many(_luhn_invalid), None),
    # nulls and dirt: ratios are over real values; placeholders are nulls
    ("e_mail", _dirty(_many(fake.email)), "EMAIL_ADDRESS"),
    ("notes", [None] * N, None),  # an all-null column holds nothing
    ("telefono", _dirty(_many(lambda: fake["it_IT"].phone_number())), "PHONE_NUMBER"),
    # multilingual names as hints with value evidence
    ("Vorname", _many(lambda: fake["de_DE"].first_name()), "PERSON"),
    ("Nachname", _many(lambda: fake["de_DE"].last_name()), "PERSON"),
    ("cognome", _many(lambda: fake["it_IT"].last_name()), "PERSON"),
    ("achternaam", _many(lambda: fake["nl_NL"].last_name()), "PERSON"),
    ("ville", _many(lambda: fake["fr_FR"].city()), "LOCATION"),
    ("ciudad", _many(lambda: fake["es_ES"].city()), "LOCATION"),
    ("geburtsdatum", _many(lambda: fake.date_of_birth().strftime("%d.%m.%Y")), "DATE_TIME"),
    ("fecha_nacimiento", _many(lambda: fake.date_of_birth().isoformat()), "DATE_TIME"),
    ("order_date", _many(lambda: fake.date_this_year().isoformat()), None),  # business dates
    ("created_at", _many(lambda: fake.date_time_this_decade().isoformat()), None),
    ("kol_3", _many(lambda: fake.date_of_birth().isoformat()), "DATE_TIME"),  # DOB by spread
    # non-PII business columns
    ("amount", _many(lambda: f"{rnd.uniform(1, 900):.2f}"), None),
    ("status", _many(lambda: rnd.choice(["open", "paid", "void"])), None),
    ("country", _many(lambda: fake.country()), None),
]


@pytest.mark.parametrize(
    ("name", "values", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_column_type(classify, name: str, values: list[str | None], expected: str | None) -> None:
    assert classify(name, values)[0] == expected


def test_freeform_text_reports_embedded_pii(classify) -> None:
    notes = [
        f"Customer called from {fake['en_US'].phone_number()} asking about the invoice"
        if i % 2
        else f"Please send the receipt to {fake.email()} before Friday"
        for i in range(80)
    ]
    kind, freeform = classify("notes", notes)
    assert kind is None
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER"} <= set(freeform)


def test_freeform_without_pii(classify) -> None:
    en = Faker("en_US")
    en.seed_instance(3)
    assert classify("comment", [en.sentence(nb_words=8) for _ in range(60)]) == (None, ())


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("Telefonnummer", "PHONE_NUMBER"),  # de compound
        ("numéro_de_téléphone", "PHONE_NUMBER"),  # fr with accents
        ("correo_electronico", "EMAIL_ADDRESS"),  # es
        ("achternaam", "PERSON"),  # nl
        ("data_di_nascita", "DATE_TIME"),  # it
        ("ip_address", "IP_ADDRESS"),  # not LOCATION despite "address"
        ("product_name", None),  # a thing, not a person
        ("customerEmail", "EMAIL_ADDRESS"),  # camelCase
    ],
)
def test_name_hints(name: str, hint: str | None) -> None:
    assert name_hint(name) == hint


def test_identifier_names() -> None:
    assert is_identifier_name("Kundennummer") and is_identifier_name("order_id")
    assert not is_identifier_name("email")


def test_examples_are_masked_and_short() -> None:
    from tests.unit.discovery.conftest import table_of

    emails = [f"canary{i}.person@example.org" for i in range(50)]
    col = table_of({"email": emails}).columns[0]
    assert col.examples and all("canary" not in e and len(e) <= 16 for e in col.examples)
