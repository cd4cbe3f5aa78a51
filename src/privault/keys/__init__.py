"""The key hierarchy: root key (provider) → tenant keys → per-subject data keys.

```
provider root vN ──wraps──▶ tenant key (purpose kek, vM) ──wraps──▶ subject DEK
                 ├─wraps──▶ tenant key (purpose index)  ─HKDF─▶ blind-index keys
                 └─wraps──▶ tenant key (purpose token)  ─HKDF─▶ deterministic/FPE token keys
```

All rows live in the key store (a database apart from the data store).
Rotation adds a version; :meth:`KeyHierarchy.rewrap_batch` moves wrapped keys
to the newest version in resumable batches; old versions unwrap until retired.
"""
