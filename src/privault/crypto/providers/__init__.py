"""Root-key providers: where the top of the key hierarchy lives.

| name            | module            | root key held by                     |
|-----------------|-------------------|--------------------------------------|
| `local`         | `local.py`        | a keyfile sealed by a passphrase     |
| `aws-kms`       | `aws_kms.py`      | AWS KMS customer master keys         |
| `vault-transit` | `vault_transit.py`| HashiCorp Vault / OpenBao transit    |

Adding one: a new module with a class satisfying
:class:`privault.crypto.providers.base.KeyProvider` and one line in
:func:`privault.crypto.providers.registry.build_provider`.
"""
