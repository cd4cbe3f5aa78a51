"""Signed checkpoints of the audit chains. Never commits: the caller's unit of work does.

Invariants:

* A checkpoint signs (chain, seq, head hash, time, key id) with the platform's
  Ed25519 key. The HMAC chain alone cannot show that events were cut from
  the *end* of a chain and the head rolled back to an earlier (valid) pair:
  a signed checkpoint at or beyond the cut can, because its seq and hash no
  longer exist in the trail and nobody without the private key can sign a
  replacement.
* Verification needs only the public key, so a copy of the checkpoints
  (exported or sent to syslog) can be checked away from this host.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, insert, select

from privault.audit.chain import ChainProblem, Checkpoint, checkpoint_payload, key_fingerprint
from privault.audit.repository import event_hash, head, heads
from privault.audit.tables import audit_checkpoints
from privault.core.clock import as_utc
from privault.crypto._primitives import ed25519_public_key, ed25519_sign, ed25519_verify


def latest(conn: Connection, chain: str) -> int:
    """The seq of the newest checkpoint of ``chain`` (0: none)."""
    rows = conn.execute(
        select(audit_checkpoints.c.seq)
        .where(audit_checkpoints.c.chain == chain)
        .order_by(audit_checkpoints.c.seq.desc())
        .limit(1)
    ).first()
    return 0 if rows is None else int(rows[0])


def sign_head(conn: Connection, seed: bytes, chain: str, now: datetime) -> Checkpoint | None:
    """Sign and store the current head of ``chain`` (None: nothing new since the last one)."""
    current = head(conn, chain)
    if current is None or current[0] == 0 or current[0] <= latest(conn, chain):
        return None
    seq, digest = current
    key_id = key_fingerprint(ed25519_public_key(seed))
    signature = ed25519_sign(seed, checkpoint_payload(chain, seq, digest, now, key_id))
    checkpoint = Checkpoint(chain, seq, digest, now, key_id, signature)
    conn.execute(
        insert(audit_checkpoints).values(
            chain=chain, seq=seq, hash=digest, ts=now, key_id=key_id, signature=signature
        )
    )
    return checkpoint


def sign_chains(
    conn: Connection, seed: bytes, now: datetime, chains: Iterable[str] | None = None
) -> list[Checkpoint]:
    """Sign the heads of ``chains`` (default: every chain) that moved since their last one."""
    names = sorted(chains) if chains is not None else sorted(heads(conn))
    signed = (sign_head(conn, seed, name, now) for name in names)
    return [cp for cp in signed if cp is not None]


def all_checkpoints(conn: Connection) -> list[Checkpoint]:
    """Every stored checkpoint, by chain and seq."""
    rows = conn.execute(
        select(audit_checkpoints).order_by(audit_checkpoints.c.chain, audit_checkpoints.c.seq)
    )
    return [
        Checkpoint(
            r.chain, int(r.seq), bytes(r.hash), as_utc(r.ts) or r.ts, r.key_id, bytes(r.signature)
        )
        for r in rows
    ]


def verify_checkpoints(conn: Connection, public_key: bytes) -> tuple[int, list[ChainProblem]]:
    """Check every checkpoint's signature and that the trail still holds what it signed.

    Returns:
        (checkpoints checked, problems found).

    """
    problems: list[ChainProblem] = []
    checkpoints = all_checkpoints(conn)
    chain_heads = heads(conn)
    for cp in checkpoints:
        problem = _check_one(conn, public_key, cp, chain_heads.get(cp.chain))
        if problem:
            problems.append(ChainProblem(cp.chain, cp.seq, None, problem))
    return len(checkpoints), problems


def _check_one(
    conn: Connection, public_key: bytes, cp: Checkpoint, chain_head: tuple[int, bytes] | None
) -> str | None:
    payload = checkpoint_payload(cp.chain, cp.seq, cp.hash, cp.ts, cp.key_id)
    if cp.key_id != key_fingerprint(public_key) or not ed25519_verify(
        public_key, cp.signature, payload
    ):
        return "checkpoint signature is invalid (forged or altered checkpoint)"
    stored = event_hash(conn, cp.chain, cp.seq)
    if stored is None:
        return (
            f"signed checkpoint at seq {cp.seq} but the trail has no such event: "
            "events after it were removed (truncated chain)"
        )
    if stored != cp.hash:
        return f"event at seq {cp.seq} no longer matches the hash its signed checkpoint covers"
    if chain_head is None or chain_head[0] < cp.seq:
        return f"chain head is behind signed checkpoint seq {cp.seq} (rolled back)"
    return None
