"""Access control: identities, roles, and one pure decision function.

```
credentials ─▶ identity (password+TOTP/WebAuthn, session or API key) ─▶ Principal
Principal + action + resource + DecisionContext ─▶ decide() ─▶ Decision(rule, reason)
                                     per field ─▶ field_view() ─▶ plain|token|masked|redacted|none
```

| module        | what                                                         |
|---------------|--------------------------------------------------------------|
| roles.py      | built-in roles and custom roles (YAML) as data               |
| policy.py     | ``decide`` and ``field_view``: pure, deny by default         |
| passwords.py  | password policy (length, zxcvbn, breached list, reuse)       |
| totp.py       | RFC 6238 codes with replay protection, recovery codes        |
| lockout.py    | back-off after failures, per account and per source address  |
| webauthn.py   | WebAuthn second factor (registration, authentication)        |
| tables.py / repository.py | users, grants, sessions, API keys, failures      |

Extension point: a custom role is one YAML entry (``privault role apply``).
"""
