"""The vault: tenants, record schemas, encrypted records, blind indexes, tokens.

```
put:  value ─coerce─▶ bytes ─AES-256-GCM(subject DEK, AAD=tenant|type|record|field)─▶ record_fields
                     └─HMAC(index key)─▶ blind_index     └─token recipe─▶ token
read: (only app.gate) policy ▶ audit ▶ opening.open_fields ▶ views.apply(view mode)
```

| module       | role                                                       |
|--------------|------------------------------------------------------------|
| schema.py    | record types declared in YAML (pydantic, strict)           |
| sealing.py   | encrypt fields, blind indexes (write side)                 |
| opening.py   | decrypt fields — imported only by ``privault.app.gate``    |
| views.py     | view modes: plain, masked, token, redacted                 |
| tokens.py    | random, deterministic and format-preserving tokens        |
| repository.py| SQL over the vault's tables; never commits                 |
"""
