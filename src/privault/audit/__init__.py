"""The audit trail: append-only, HMAC hash-chained per tenant, fail-closed.

```
event ──▶ chain head (locked row) ──▶ hash = HMAC(chain key, prev_hash || canonical(event))
                                  └──▶ audit_events row + head row updated, same transaction
verify: walk each chain by seq; recompute; compare with the head
```

The chain key lives in the key store, so someone with write access to the
data store alone cannot forge a consistent chain after editing events.
Values that identify people never enter an event: only ids, field names and
keyed HMACs (:func:`privault.audit.chain.hmac_value`).
"""
