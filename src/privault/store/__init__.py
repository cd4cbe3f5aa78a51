"""Storage: SQLAlchemy engines, units of work and Alembic migrations.

Two databases: the *data store* (records, tokens, audit) and the *key store*
(root-key versions, wrapped tenant keys, per-subject data keys). They are kept
apart so that a backup of the data store never carries the keys that decrypt
it: destroying a subject's key in the key store makes every copy of its data,
backups included, unreadable (crypto-shredding).
"""
