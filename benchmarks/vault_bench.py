"""Vault benchmark: encrypt+store, gated reads, tokens, and OpenBao transit, side by side.

Every figure is measured in this one process, beside its reference (a raw
AES-256-GCM loop over the same values), as the median of several runs; the
ratios are what to compare across machines. Writes benchmarks/results/vault.json.

    python benchmarks/vault_bench.py [--records 20000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import random
import string
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import median_rate, write_results
from privault.app.bootstrap import init_platform
from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.core.settings import Settings
from privault.crypto._primitives import Aead, random_bytes
from privault.vault.sealing import field_aad

SCHEMA = """
record_type: customer
category: master
fields:
  name: {pii: PERSON}
  email: {pii: EMAIL_ADDRESS, searchable: true}
  phone: {pii: PHONE_NUMBER}
  street: {pii: LOCATION}
  city: {pii: LOCATION}
  postcode: {}
  segment: {category: reference}
  notes: {category: freeform}
"""
# The owner, with a second factor proved at start (the run takes a few minutes).
ADMIN = RequestContext(
    Principal("bench:owner", frozenset({"owner"}), mfa_at=datetime.now(UTC)), source="bench"
)


def fake_records(n: int, seed: int = 1) -> list[dict[str, str]]:
    """Realistic-length customer rows (random, reproducible)."""
    rnd = random.Random(seed)

    def word(k: int) -> str:
        return "".join(rnd.choices(string.ascii_lowercase, k=k))

    return [
        {
            "name": f"{word(6).title()} {word(8).title()}",
            "email": f"{word(7)}.{i}@{word(6)}.example",
            "phone": f"+44 20 {rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)}",
            "street": f"{rnd.randint(1, 999)} {word(9).title()} Road",
            "city": word(8).title(),
            "postcode": f"{word(2).upper()}{rnd.randint(1, 99)} "
            f"{rnd.randint(1, 9)}{word(2).upper()}",
            "segment": rnd.choice(["retail", "smb", "enterprise"]),
            "notes": " ".join(word(rnd.randint(3, 9)) for _ in range(8)),
        }
        for i in range(n)
    ]


def raw_aead(records: list[dict[str, str]]) -> int:
    """The limit: one AES-256-GCM seal per field value, nothing else."""
    aead = Aead(random_bytes(32))
    aad = field_aad("tnt_x", "customer", "rec_x", "field")
    n = 0
    for rec in records:
        for value in rec.values():
            aead.seal(value.encode(), aad)
            n += 1
    return n


def run(records_n: int, repeats: int) -> dict[str, Any]:
    records = fake_records(records_n)
    fields_n = sum(len(r) for r in records)
    raw, _ = median_rate(lambda: raw_aead(records), repeats + 2)
    results: dict[str, Any] = {"records": records_n, "fields": fields_n}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), kdf_memory_kib=8192, kdf_iterations=1)
        p = init_platform(settings, Secret("benchmark passphrase"))
        # Tenants and schemas are set up outside the timed part: the figure is
        # the batch path per field (validate, keys, encrypt, index, store, audit).
        for i in range(repeats):
            p.tenants.create(ADMIN, f"t{i}")
            p.tenants.apply_schema(ADMIN, f"t{i}", SCHEMA)
        rounds = iter(range(repeats))

        def store() -> int:
            p.vault.put_many(ADMIN, f"t{next(rounds)}", "customer", records, batch_size=2000)
            return fields_n

        store_rate, _ = median_rate(store, repeats)
        ids = [r.id for r in p.gate.page(ADMIN, "t0", purpose="bench", limit=records_n)]

        def gated() -> int:
            n = 0
            for i in range(0, len(ids), 1000):
                for rec in p.gate.read(
                    ADMIN, "t0", ids[i : i + 1000], purpose="bench", view="plain"
                ):
                    n += len(rec.fields)
            return n

        read_rate, _ = median_rate(gated, repeats)
        results["tokens_per_s"] = _tokens(p, records, repeats)
        p.close()
    results["fields_per_s"] = {
        "raw_aead": round(raw),
        "encrypt_store": round(store_rate),
        "gated_read": round(read_rate),
    }
    results["encrypt_store_vs_raw_aead"] = round(raw / store_rate, 2)
    results["gated_read_vs_raw_aead"] = round(raw / read_rate, 2)
    results["openbao"] = _openbao(records, repeats, raw)
    return results


def _tokens(p: Any, records: list[dict[str, str]], repeats: int) -> dict[str, Any]:
    emails = [r["email"] for r in records[:5000]]
    cards = [f"4{random.Random(i).randint(10**13, 10**14 - 1)}" for i in range(2000)]
    cards = [c + str(_luhn_digit(c)) for c in cards]
    out: dict[str, Any] = {}
    for kind, values, pii in (
        ("random", emails, None),
        ("deterministic", emails, None),
        ("fpe", cards, "CREDIT_CARD"),
    ):
        made: list[str] = []

        def tokenize(
            kind: str = kind,
            values: list[str] = values,
            pii: str | None = pii,
            made: list[str] = made,
        ) -> int:
            made[:] = p.vault.tokenize(ADMIN, "t0", values, kind=kind, scope="bench", pii=pii)
            return len(values)

        def detokenize(kind: str = kind, made: list[str] = made, pii: str | None = pii) -> int:
            scope = "bench" if kind == "fpe" else None
            return len(p.gate.detokenize(ADMIN, "t0", made, purpose="bench", scope=scope, pii=pii))

        tok_rate, _ = median_rate(tokenize, repeats)
        detok_rate, _ = median_rate(detokenize, repeats)
        out[kind] = {"tokenize": round(tok_rate), "detokenize": round(detok_rate)}
    return out


def _luhn_digit(prefix: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def _openbao(records: list[dict[str, str]], repeats: int, raw: float) -> dict[str, Any]:
    """The same values through a local OpenBao transit engine over HTTP (batch_input)."""
    try:
        from privault.crypto.providers.vault_transit import VaultTransitKeyProvider
        from tests.support.openbao import openbao_dev_server
    except ImportError as exc:  # the dev extras are not installed
        return {"skipped": f"OpenBao not available: {exc}"}
    values = [v.encode() for r in records for v in r.values()]
    with openbao_dev_server() as server:
        provider = VaultTransitKeyProvider.from_settings(
            server.addr, server.token, "transit", "bench"
        )
        ref = provider.create_version(1)

        # OpenBao's default listener refuses JSON bodies with more than ~1000
        # strings; 100 items (up to 6 strings each) per request stays inside it.
        def transit() -> int:
            for i in range(0, len(values), 100):
                provider.batch_encrypt(values[i : i + 100], {"bench": "1"}, key_ref=ref)
            return len(values)

        rate, _ = median_rate(transit, max(1, repeats - 1))
    return {"fields_per_s": round(rate), "vs_raw_aead": round(raw / rate, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    res = run(args.records, args.repeats)
    fps = res["fields_per_s"]
    print(f"vault benchmark: {res['records']} records, {res['fields']} fields, medians")
    print(f"  raw AES-256-GCM          {fps['raw_aead']:>10,} fields/s  (reference)")
    print(
        f"  encrypt+store (SQLite)   {fps['encrypt_store']:>10,} fields/s  "
        f"{res['encrypt_store_vs_raw_aead']:>5}x raw per field (target <= 10x)"
    )
    print(
        f"  gated read (plain)       {fps['gated_read']:>10,} fields/s  "
        f"{res['gated_read_vs_raw_aead']:>5}x raw per field (target <= 10x)"
    )
    ob = res["openbao"]
    if "fields_per_s" in ob:
        print(
            f"  OpenBao transit (HTTP)   {ob['fields_per_s']:>10,} fields/s  "
            f"{ob['vs_raw_aead']:>5}x raw per field"
        )
    for kind, t in res["tokens_per_s"].items():
        print(f"  {kind:<14} tokenize {t['tokenize']:>9,}/s  detokenize {t['detokenize']:>9,}/s")
    print(f"wrote {write_results('vault', res)}")


if __name__ == "__main__":
    main()
