"""Vault-backed deid tokens: issued per tenant, reversed only with detokenize rights and step-up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, InvalidInput
from privault.core.secret import Secret
from privault.deid import MaskOptions, load_policy
from privault.detect import Finding

KEY = Secret(b"t" * 32)
POLICY = load_policy(
    """
entities:
  EMAIL_ADDRESS: {operator: tokenize, kind: vault, scope: crm}
  CREDIT_CARD: {operator: tokenize, kind: deterministic}
  PERSON: fake
columns: {id: keep}
unlisted: drop
"""
)
TYPES = {"email": "EMAIL_ADDRESS", "card": "CREDIT_CARD", "name": "PERSON"}
CANARY = "canary.d41e@tokens.example"


def _source(tmp_path: Path) -> tuple[Path, pl.DataFrame]:
    emails = [CANARY] + [f"user{i % 40}@corp.example" for i in range(1, 120)]  # repeats
    frame = pl.DataFrame(
        {
            "id": [str(i) for i in range(120)],
            "name": [f"Nia{i} Jones" for i in range(120)],
            "email": emails,
            "card": [f"4111 1111 1111 {i % 10000:04d}" for i in range(120)],
        }
    )
    path = tmp_path / "in.csv"
    frame.write_csv(path)
    return path, frame


def _analyst(clock: FixedClock) -> RequestContext:
    return RequestContext(
        Principal("user:ann", frozenset({"analyst"}), mfa_at=clock.now()), source="test"
    )


def test_masked_column_holds_vault_tokens_and_reverses_for_allowed_principals(
    platform: Platform, admin: RequestContext, tenant: str, tmp_path: Path, clock: FixedClock
) -> None:
    source, frame = _source(tmp_path)
    dest = tmp_path / "out.csv"
    opts = MaskOptions(pii_types=TYPES, batch_rows=50)  # tokens stay stable across batches
    platform.deid_tokens.mask_file(admin, tenant, source, dest, POLICY, KEY, options=opts)
    copy = pl.read_csv(dest, infer_schema=False)
    assert all(t.startswith("tok_") for t in copy["email"])
    assert all(t.startswith("dtk_") for t in copy["card"])
    pairs = set(zip(frame["email"], copy["email"], strict=True))
    assert len(pairs) == frame["email"].n_unique() == copy["email"].n_unique()  # consistent
    raw = dest.read_text()
    for col in ("email", "card", "name"):
        assert not any(v in raw for v in frame[col].to_list()), col
    back = platform.deid_tokens.reverse_column(
        admin,
        tenant,
        POLICY,
        "email",
        copy["email"].to_list(),
        KEY,
        purpose="support",
        pii="EMAIL_ADDRESS",
    )
    assert back == frame["email"].to_list()
    with pytest.raises(InvalidInput, match="one-way"):
        platform.deid_tokens.reverse_column(
            admin,
            tenant,
            POLICY,
            "card",
            copy["card"].to_list(),
            KEY,
            purpose="support",
            pii="CREDIT_CARD",
        )
    stale = RequestContext(
        Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now() - timedelta(hours=1))
    )
    for refused in (_analyst(clock), stale):
        with pytest.raises(AccessDenied):
            platform.deid_tokens.reverse_column(
                refused,
                tenant,
                POLICY,
                "email",
                copy["email"].to_list()[:3],
                KEY,
                purpose="support",
                pii="EMAIL_ADDRESS",
            )
    events = platform.audit.search(limit=200)
    created = [e for e in events if e.action == "token.create"]
    assert created and sum(e.detail["count"] for e in created) == frame["email"].n_unique()
    reads = [e for e in events if e.action == "token.detokenize" and e.outcome == "allowed"]
    assert len(reads) == 1 and reads[0].detail["count"] == frame["email"].n_unique()
    denied = [e for e in events if e.action == "token.detokenize" and e.outcome == "denied"]
    assert len(denied) == 2
    assert [e.outcome for e in events if e.action == "deid.reverse"] == ["allowed", "allowed"]
    assert CANARY not in repr(events)


def test_text_round_trip_and_refusal(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    texts = [f"write to {CANARY} today", "nothing here", f"cc {CANARY} and a@b.example"]
    out = platform.deid_tokens.anonymize_texts(admin, tenant, texts, POLICY, KEY)
    assert all(CANARY not in o.text for o in out)
    assert out[0].items[0].text == out[2].items[0].text  # one token per value in a batch
    assert platform.deid_tokens.deanonymize(admin, tenant, out, POLICY, KEY, purpose="x") == texts
    with pytest.raises(AccessDenied):
        platform.deid_tokens.deanonymize(_analyst(clock), tenant, out, POLICY, KEY, purpose="x")
    # refused up front, even when no span needs the vault (encrypt spans only)
    sealed = load_policy("entities: {EMAIL_ADDRESS: encrypt}")
    plain = platform.masking.anonymize_texts(admin, texts, sealed, KEY)
    with pytest.raises(AccessDenied):
        platform.deid_tokens.deanonymize(_analyst(clock), tenant, plain, sealed, KEY, purpose="x")
    reversals = platform.audit.search(action="deid.reverse", limit=10)
    assert [(e.actor, e.outcome) for e in reversals] == [("user:admin", "allowed")]
    denied = platform.audit.search(action="token.detokenize", actor="user:ann", limit=10)
    assert [e.outcome for e in denied] == ["denied", "denied"]
    # a token from another tenant's vault does not resolve here
    platform.tenants.create(admin, "globex")
    from privault.core.errors import NotFound

    with pytest.raises(NotFound):
        platform.deid_tokens.deanonymize(admin, "globex", out[:1], POLICY, KEY, purpose="x")


def test_vault_kind_without_a_tenant_is_refused_before_any_write(
    platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    source, _ = _source(tmp_path)
    with pytest.raises(InvalidInput, match="vault token store"):
        platform.masking.mask_file(
            admin, source, tmp_path / "o.csv", POLICY, KEY, options=MaskOptions(pii_types=TYPES)
        )
    assert not (tmp_path / "o.csv").exists()
    text = "mail a@b.example"
    found = [Finding("EMAIL_ADDRESS", 5, len(text), 1.0, "t")]
    from privault.deid import anonymize

    with pytest.raises(InvalidInput, match="vault token store"):
        anonymize(text, found, POLICY, key=KEY)
