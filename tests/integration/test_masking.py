"""Masked copies through the service: formats, no source PII in copies, audit, errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest

from privault.app.bootstrap import Platform
from privault.app.masking import MaskingService
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, InvalidInput
from privault.core.secret import Secret
from privault.deid import MaskOptions, load_policy
from privault.detect import Finding

KEY = Secret(b"m" * 32)
CANARY_EMAIL = "canary.7f3a@leak-test.example"
POLICY = load_policy(
    """
entities:
  PERSON: fake
  EMAIL_ADDRESS: hash
  CREDIT_CARD: fpe
  US_SSN: {operator: mask, keep_last: 4}
  PHONE_NUMBER: fpe
columns:
  notes: detect
  age: {operator: generalize, kind: age}
  zip: keep
  id: keep
  diagnosis: keep
unlisted: drop
"""
)
TYPES = {
    "name": "PERSON",
    "email": "EMAIL_ADDRESS",
    "card": "CREDIT_CARD",
    "ssn": "US_SSN",
    "phone": "PHONE_NUMBER",
}
PII_COLUMNS = ("name", "email", "card", "ssn", "phone")


def _luhn(body: str) -> str:
    from privault.crypto.fpe import luhn_valid

    return next(body + c for c in "0123456789" if luhn_valid(body + c))


def _rows(n: int) -> pl.DataFrame:
    rng = random.Random(3)
    firsts, lasts = ["Alice", "Bruno", "Chen", "Dalia", "Emeka"], ["Okafor", "Smith", "Ito", "Lund"]
    names = [f"{rng.choice(firsts)} {rng.choice(lasts)}{i}" for i in range(n)]
    emails = [CANARY_EMAIL] + [f"user{i}.{rng.randint(0, 9999)}@corp.example" for i in range(1, n)]
    return pl.DataFrame(
        {
            "id": [str(i) for i in range(n)],
            "name": names,
            "email": emails,
            "card": [_luhn(f"4{rng.randint(10**13, 10**14 - 1)}") for _ in range(n)],
            "ssn": [
                f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
                for _ in range(n)
            ],
            "phone": [
                f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}" for _ in range(n)
            ],
            "age": [str(rng.randint(18, 95)) for _ in range(n)],
            "zip": [f"{rng.randint(100, 140)}{rng.randint(10, 99)}" for _ in range(n)],
            "diagnosis": [rng.choice(["flu", "cold", "asthma", "none"]) for _ in range(n)],
            "notes": [f"Spoke to {names[i]} at {emails[i]}" for i in range(n)],
            "secret_extra": [f"drop-me-{i}" for i in range(n)],
        }
    )


def _write(frame: pl.DataFrame, path: Path) -> None:
    {
        "csv": frame.write_csv,
        "jsonl": frame.write_ndjson,
        "parquet": frame.write_parquet,
        "xlsx": frame.write_excel,
    }[path.suffix[1:]](path)


def _read(path: Path) -> pl.DataFrame:
    fmt = path.suffix[1:]
    if fmt == "csv":
        return pl.read_csv(path, infer_schema=False)
    if fmt == "jsonl":
        return pl.read_ndjson(path)
    if fmt == "parquet":
        return pl.read_parquet(path)
    return pl.read_excel(path, infer_schema_length=0)


@pytest.fixture
def service(platform: Platform) -> MaskingService:
    return platform.masking


@pytest.mark.parametrize(
    ("src_fmt", "dst_fmt"),
    [
        ("csv", "csv"),
        ("jsonl", "jsonl"),
        ("parquet", "parquet"),
        ("xlsx", "xlsx"),
        ("csv", "parquet"),
    ],
)
def test_copy_has_no_source_pii(service, admin, tmp_path: Path, src_fmt: str, dst_fmt: str) -> None:
    source, dest = tmp_path / f"in.{src_fmt}", tmp_path / f"out.{dst_fmt}"
    frame = _rows(300)
    _write(frame, source)
    opts = MaskOptions(
        pii_types=TYPES, quasi_identifiers=("age", "zip"), sensitive=("diagnosis",), batch_rows=64
    )
    report = service.mask_file(admin, source, dest, POLICY, KEY, options=opts)
    copy = _read(dest)
    assert copy.height == report.rows_out == 300 and "secret_extra" not in copy.columns
    cells = {str(v) for col in copy.columns for v in copy[col].to_list()}
    raw = dest.read_bytes() if dst_fmt in ("csv", "jsonl") else b""
    for col in PII_COLUMNS:
        for value in frame[col].to_list():
            assert value not in cells and value.encode() not in raw, col
            assert all(value not in cell for cell in copy["notes"].to_list())
    assert copy["id"].cast(pl.String).to_list() == frame["id"].to_list()  # kept as is
    by_col = {c.column: c for c in report.columns}
    assert by_col["card"].rule == "fpe" and by_col["card"].changed == 300
    assert by_col["notes"].entities.get("EMAIL_ADDRESS") == 300
    assert report.risk is not None and report.risk.quasi_identifiers == ("age", "zip")
    assert not list(tmp_path.glob(".*partial"))


def test_consistent_pseudonyms_across_files(service, admin, tmp_path: Path) -> None:
    frame = _rows(50)
    _write(frame, tmp_path / "a.csv")
    _write(frame.reverse(), tmp_path / "b.jsonl")
    opts = MaskOptions(pii_types=TYPES)
    service.mask_file(admin, tmp_path / "a.csv", tmp_path / "a_out.csv", POLICY, KEY, options=opts)
    service.mask_file(
        admin, tmp_path / "b.jsonl", tmp_path / "b_out.parquet", POLICY, KEY, options=opts
    )
    a = _read(tmp_path / "a_out.csv").sort("id")
    b = _read(tmp_path / "b_out.parquet").sort("id")
    for col in ("name", "email", "card"):
        assert a[col].to_list() == b[col].to_list()
    # text spans get the same pseudonym as the column (same key, same type)
    from privault.deid import anonymize

    text = f"mail {CANARY_EMAIL}"
    found = [Finding("EMAIL_ADDRESS", 5, len(text), 1.0, "t")]
    assert anonymize(text, found, POLICY, key=KEY).text == f"mail {a['email'][0]}"


def test_k_anonymity_is_reached_and_reported(service, admin, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write(_rows(400), source)
    opts = MaskOptions(
        pii_types=TYPES, quasi_identifiers=("age", "zip"), sensitive=("diagnosis",), k=5
    )
    report = service.mask_file(admin, source, tmp_path / "out.csv", POLICY, KEY, options=opts)
    assert report.risk is not None and report.risk.k >= 5 and report.risk.meets_k
    assert report.k_anonymity is not None and report.k_anonymity.suppressed_share <= 0.05
    assert report.rows_out == 400 - report.k_anonymity.suppressed_rows
    json.dumps(report.to_dict())  # report is JSON-ready


def test_policy_errors_come_before_any_write(service, admin, tmp_path: Path) -> None:
    source, dest = tmp_path / "in.csv", tmp_path / "out.csv"
    _write(_rows(10), source)
    bad = load_policy("columns: {no_such_column: keep}")
    with pytest.raises(InvalidInput, match="no_such_column"):
        service.mask_file(admin, source, dest, bad, KEY)
    with pytest.raises(InvalidInput, match="needs a key"):
        service.mask_file(admin, source, dest, POLICY, None, options=MaskOptions(pii_types=TYPES))
    with pytest.raises(InvalidInput, match="unsupported"):
        service.mask_file(admin, source, tmp_path / "out.txt", POLICY, KEY)
    assert not dest.exists() and not list(tmp_path.glob(".*partial"))


def test_error_messages_and_audit_never_hold_values(service, admin, platform, tmp_path) -> None:
    source = tmp_path / "in.csv"
    _write(_rows(20), source)
    strict = load_policy("columns: {card: {operator: fpe, on_invalid: error}}\nunlisted: keep")
    bad = _rows(20).with_columns(pl.lit("4929 0000 0000 0007").alias("card"))
    _write(bad, source)
    with pytest.raises(InvalidInput) as caught:
        service.mask_file(
            admin,
            source,
            tmp_path / "o.csv",
            strict,
            KEY,
            options=MaskOptions(pii_types={"card": "CREDIT_CARD"}),
        )
    assert "4929" not in str(caught.value) and not (tmp_path / "o.csv").exists()
    _write(_rows(20), source)
    service.mask_file(
        admin, source, tmp_path / "o.csv", POLICY, KEY, options=MaskOptions(pii_types=TYPES)
    )
    events = platform.audit.search(action="mask.run")
    assert events and events[0].detail["rows_in"] == 20
    dumped = json.dumps([e.detail for e in events], default=str)
    assert CANARY_EMAIL not in dumped


def test_denied_without_role(service, tmp_path: Path) -> None:
    nobody = RequestContext(Principal("user:nobody", frozenset()), source="test")
    source = tmp_path / "in.csv"
    _write(_rows(5), source)
    with pytest.raises(AccessDenied):
        service.mask_file(nobody, source, tmp_path / "out.csv", POLICY, KEY)
    assert not (tmp_path / "out.csv").exists()


def test_anonymize_texts(service, admin) -> None:
    out = service.anonymize_texts(admin, [f"write to {CANARY_EMAIL}"], POLICY, KEY)
    assert CANARY_EMAIL not in out[0].text and out[0].items[0].operator == "hash"
