"""The audit trail: append-only, HMAC hash-chained per tenant, signed checkpoints, fail-closed.

```
event ──▶ chain head (locked row) ──▶ hash = HMAC(chain key, prev_hash || canonical(event))
                                  ├──▶ audit_events row + head row updated, same transaction
                                  └──▶ every N events: Ed25519-signed checkpoint of the head
after commit ──▶ secondary sinks (JSONL files, syslog RFC 5424 / CEF): failures logged + counted
verify: walk each chain by seq; recompute; compare with the head; check every checkpoint
```

The chain key and the checkpoint signing seed live in the key store, so
someone with write access to the data store alone cannot forge a consistent
chain after editing events, nor re-sign a checkpoint after cutting the tail
of a chain. Values that identify people never enter an event: only ids,
field names and keyed HMACs (:func:`privault.audit.chain.hmac_value`).

| extension point | protocol | registry |
|---|---|---|
| audit sink | :class:`privault.audit.sinks.base.AuditSink` | ``SINKS`` (``jsonl``, ``syslog``) |
"""
