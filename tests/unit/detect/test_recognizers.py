"""One table per recognizer family: positives and near-misses, each row commented."""

from __future__ import annotations

import pytest

from privault.detect import Analyzer

# Credentials are assembled at run time so secret scanners never see a literal.
AWS_ID = "AKIA" + "IOSFODNN7" + "EXAMPLE"
GITHUB = "ghp" + "_" + "a1B2c3D4e5F6g7H8i9J0" + "kLmNoPqRsTuVwXyZ12"
SLACK = "xox" + "b-" + "123456789012-" + "1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
JWT = (
    "eyJ"
    + "hbGciOiJIUzI1NiJ9"
    + "."
    + "eyJ"
    + "zdWIiOiIxMjM0NSJ9"
    + "."
    + "dBjftJeZ4CVPmB92K27uhbUJU1p1r"
)
PEM = (
    "-----BEGIN "
    + "RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END "
    + "RSA PRIVATE KEY-----"
)


def check(analyzer: Analyzer, text: str, kind: str, expected: str | None) -> None:
    found = [text[f.start : f.end] for f in analyzer.analyze(text) if f.type == kind]
    if expected is None:
        assert found == [], found
    else:
        assert expected in found, found


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        (
            "mail jane.doe+x@example.co.uk today",
            "EMAIL_ADDRESS",
            "jane.doe+x@example.co.uk",
        ),  # plus tag
        ("user@localhost is not routable", "EMAIL_ADDRESS", None),  # no TLD
        (
            "see https://example.com/a?b=1.",
            "URL",
            "https://example.com/a?b=1",
        ),  # trailing dot dropped
        ("host sftp.acme.com only", "URL", None),  # bare hostname is not a URL
        ("from IP 192.168.10.20 today", "IP_ADDRESS", "192.168.10.20"),  # IPv4
        ("version 10.0.19045.3803 installed", "IP_ADDRESS", None),  # build number, octet > 255
        ("gateway 2001:db8::8a2e:370:7334 up", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),  # IPv6
        ("at 12:30:45 sharp", "IP_ADDRESS", None),  # a time is not IPv6
        ("mac 00:1A:2B:3C:4D:5E seen", "MAC_ADDRESS", "00:1A:2B:3C:4D:5E"),  # colon form
        ("client c0a2.6782.65ef joined", "MAC_ADDRESS", "c0a2.6782.65ef"),  # Cisco dotted form
    ],
)
def test_network(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("card 4111 1111 1111 1111 exp 04/27", "CREDIT_CARD", "4111 1111 1111 1111"),  # Luhn-valid
        ("card 4111 1111 1111 1112 exp 04/27", "CREDIT_CARD", None),  # Luhn-invalid
        ("amex 3782 822463 10005 on file", "CREDIT_CARD", "3782 822463 10005"),  # Amex grouping
        ("IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("IBAN GB82 WEST 1234 5698 7654 31 please", "IBAN_CODE", None),  # bad mod-97 checksum
        ("IBAN DE89370400440532013000.", "IBAN_CODE", "DE89370400440532013000"),  # unspaced
        ("account number 12345678901 at the bank", "US_BANK_NUMBER", "12345678901"),  # context
        ("order 12345678901 shipped", "US_BANK_NUMBER", None),  # no account context
        (
            "send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now",
            "CRYPTO",
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        ),
        ("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 now", "CRYPTO", None),  # bad checksum
        (
            "eth 0x52908400098527886E0F7030069857D2E4169EE7",
            "CRYPTO",
            "0x52908400098527886E0F7030069857D2E4169EE7",
        ),
    ],
)
def test_financial(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("SSN: 536-90-4399", "US_SSN", "536-90-4399"),  # dashed with context
        ("SSN: 666-90-4399", "US_SSN", None),  # invalid area 666
        ("ssn 536904399 on file", "US_SSN", "536904399"),  # unseparated, needs context
        ("ref 536904399 on file", "US_SSN", None),  # unseparated without context
        ("NHS number 943 476 5919", "UK_NHS", "943 476 5919"),  # checksum + context
        ("NHS number 943 476 5918", "UK_NHS", None),  # checksum fails
        ("NI number AB 12 34 56 C", "UK_NINO", "AB 12 34 56 C"),  # NINO
        ("driver's license W4527617 and", "US_DRIVER_LICENSE", "W4527617"),  # context
        ("invoice W4527617 paid", "US_DRIVER_LICENSE", None),  # same shape, no context
        ("passport number 912803456 issued", "US_PASSPORT", "912803456"),  # context
        ("tracking 912803456 issued", "US_PASSPORT", None),  # no context
    ],
)
def test_government(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("call me on +44 20 7946 0958 today", "PHONE_NUMBER", "+44 20 7946 0958"),  # UK intl
        ("mobile (415) 555-2671 ext", "PHONE_NUMBER", "(415) 555-2671"),  # US national
        ("Tel. 030 901820 bitte", "PHONE_NUMBER", "030 901820"),  # German landline
        ("phone +33 1 42 68 53 00.", "PHONE_NUMBER", "+33 1 42 68 53 00"),  # French
        ("order 4563766505 shipped", "PHONE_NUMBER", None),  # ID that looks like a phone
        ("on 2021-07-01 we", "PHONE_NUMBER", None),  # a date
        ("build 10.0.25678.4732 out", "PHONE_NUMBER", None),  # version number
    ],
)
def test_phone(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my password is B4n4n4$68 and", "B4n4n4$68"),  # after "password is"
        ("password: window-hunter-thunder3.", "window-hunter-thunder3"),  # colon, dot dropped
        ("the alarm code is 4821", "4821"),  # PIN/door code
        ("Wi-Fi PSK: gEf89ws1K2sctn", "gEf89ws1K2sctn"),  # Wi-Fi key
        (f"key id {AWS_ID}", AWS_ID),  # AWS access key id
        (f"token {GITHUB}", GITHUB),  # GitHub PAT
        (f"bot {SLACK}", SLACK),  # Slack bot token
        (f"restricted key {STRIPE}", STRIPE),  # Stripe live key
        (f"Authorization: Bearer {JWT}", JWT),  # JWT
        (f"key:\n{PEM}\n", PEM),  # PEM private key block
        ("please never share your password. Thanks", None),  # no value after keyword
        ("reset your password expires tomorrow", None),  # plain word is not a password
    ],
)
def test_secret(rules, text, expected):
    check(rules, text, "SECRET", expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Patient DOB 03/04/1956, seen today", "03/04/1956"),  # birth date
        ("born 16 Oct 1940 in Leeds", "16 Oct 1940"),  # spelled month
        ("admitted on March 3, 2021 for surgery", "March 3, 2021"),  # medical date
        ("Start date: 2022-04-30", "2022-04-30"),  # employment
        ("Invoice due 2022-04-30", None),  # business date
        ("2024-04-18T10:22:01 INFO started", None),  # log timestamp
    ],
)
def test_personal_dates(rules, text, expected):
    check(rules, text, "DATE_TIME", expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ship to 47 Baker Street, London, NW1 6XE today",
            "47 Baker Street, London, NW1 6XE",
        ),  # UK line
        ("Address: Hauptstraße 12, 10115 Berlin", "Hauptstraße 12, 10115 Berlin"),  # German
        ("write to 12 rue de la Paix, 75002 Paris.", "12 rue de la Paix, 75002 Paris"),  # French
        ("Customer is moving from Leeds to York next week", "Leeds"),  # city after "moving from"
        ("We sold 12 units today", None),  # a number and a word are not an address
    ],
)
def test_location(rules, text, expected):
    check(rules, text, "LOCATION", expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dear Ms Torres, thanks", "Torres"),  # title, title itself excluded
        ("Hi Crystal, your order", "Crystal"),  # greeting
        ("Customer: Wojciech Zieliński", "Wojciech Zieliński"),  # label field
        ("Kind regards,\nStephanie D. Jenkins", "Stephanie D. Jenkins"),  # sign-off
        ("Approved by Albert Sibiga.", "Albert Sibiga"),  # given-name list + surname
        ("Dear Customer, your order", None),  # generic salutation
    ],
)
def test_person_rules(rules, text, expected):
    check(rules, text, "PERSON", expected)
