"""Roles as data: built-in roles and custom roles from a policy file.

A role allows action globs, may deny some (a deny wins over any allow), caps
the view mode per field (by ``record_type.field``, by PII type, or ``*``), and
names the actions that need a fresh second factor.

```yaml
roles:
  - name: support-lead
    allow: [record.read, record.find, record.update]
    deny: [record.export]
    views: {"*": masked, EMAIL_ADDRESS: plain, PHONE_NUMBER: plain, US_SSN: none}
    break_glass: true
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Any

import yaml

from privault.core.errors import InvalidInput

# Views from least to most revealing; "none" hides the field entirely.
VIEW_ORDER: tuple[str, ...] = ("none", "redacted", "masked", "token", "plain")
_RANK = {v: i for i, v in enumerate(VIEW_ORDER)}

# Actions that always need a fresh second factor (step-up), whatever the role.
SENSITIVE_ACTIONS: tuple[str, ...] = (
    "key.rotate",
    "key.rewrap",
    "key.retire",
    "user.add",
    "user.disable",
    "user.password",
    "role.*",
    "apikey.create",
    "mfa.reset",
    "breakglass.open",
    "subject.shred",
    "record.export",
    "token.detokenize",
    "cred.export",
    "cred.reveal",
    "cred.totp",
    "lifecycle.run",
    "share.purge",
)


def view_rank(view: str) -> int:
    """Position of a view mode in :data:`VIEW_ORDER` (higher reveals more)."""
    return _RANK[view]


@dataclass(frozen=True, slots=True)
class Role:
    """A named bundle of permissions and view caps."""

    name: str
    allow: tuple[str, ...]
    deny: tuple[str, ...] = ()
    views: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({"*": "none"}))
    break_glass: bool = False
    description: str = ""

    def allows(self, action: str) -> bool:
        """True if an allow glob matches ``action``."""
        return any(fnmatchcase(action, pattern) for pattern in self.allow)

    def denies(self, action: str) -> bool:
        """True if a deny glob matches ``action``."""
        return any(fnmatchcase(action, pattern) for pattern in self.deny)

    def view_cap(self, field_key: str, pii: str | None) -> str:
        """The most revealing view this role allows for a field."""
        for key in (field_key, pii or "", "*"):
            if key and key in self.views:
                return self.views[key]
        return "none"


def _views(**caps: str) -> Mapping[str, str]:
    return MappingProxyType(dict(caps))


_CONTACT = {
    "PERSON": "plain",
    "EMAIL_ADDRESS": "plain",
    "PHONE_NUMBER": "plain",
    "LOCATION": "plain",
}

BUILTIN_ROLES: Mapping[str, Role] = MappingProxyType(
    {
        r.name: r
        for r in (
            Role(
                "owner",
                ("*",),
                views=_views(**{"*": "plain"}),
                description="Everything, on every tenant it is granted.",
            ),
            Role(
                "admin",
                ("*",),
                deny=("key.retire",),
                views=_views(**{"*": "plain"}),
                description="Runs the platform; cannot destroy root keys.",
            ),
            Role(
                "security_officer",
                (
                    "audit.*",
                    "key.*",
                    "user.*",
                    "role.*",
                    "apikey.*",
                    "mfa.*",
                    "access.*",
                    "breakglass.open",
                    "tenant.list",
                    "record.read",
                    "record.find",
                    "scan.run",
                    "scan.read",
                    "cred.health",
                    "cred.list",
                    "share.list",
                    "lifecycle.*",
                    "consent.*",
                    "dsr.*",
                    "minimize.*",
                    "incident.*",
                    "mask.trace",
                ),
                views=_views(**{"*": "masked"}),
                break_glass=True,
                description="Security: keys, users, audit; masked data, break-glass.",
            ),
            Role(
                "technician",
                (
                    "record.read",
                    "record.find",
                    "record.write",
                    "record.update",
                    "token.create",
                    "tenant.list",
                    "scan.run",
                    "scan.read",
                    "mask.run",
                    "share.put",
                    "share.link",
                    "share.list",
                    "share.revoke",
                    "cred.list",
                    "cred.reveal",
                    "cred.totp",
                    "cred.add",
                    "cred.update",
                    "cred.health",
                ),
                deny=(
                    "token.detokenize",
                    "record.export",
                    "cred.export",
                    "cred.import",
                    "cred.manage",
                    "cred.delete",
                ),
                views=_views(
                    **{
                        "*": "masked",
                        **_CONTACT,
                        "CREDIT_CARD": "token",
                        "US_SSN": "none",
                        "SECRET": "none",
                        "US_BANK_NUMBER": "none",
                    }
                ),
                description="MSP technician: contact details of assigned clients only.",
            ),
            Role(
                "analyst",
                (
                    "record.read",
                    "record.find",
                    "record.export",
                    "tenant.list",
                    "scan.run",
                    "scan.read",
                    "mask.run",
                ),
                views=_views(
                    **{
                        "*": "masked",
                        "CREDIT_CARD": "token",
                        "US_SSN": "redacted",
                        "SECRET": "none",
                    }
                ),
                description="Analytics: masked and tokenized data only, never plain.",
            ),
            Role(
                "auditor",
                (
                    "audit.search",
                    "audit.verify",
                    "access.report",
                    "access.check",
                    "key.status",
                    "tenant.list",
                    "compliance.*",
                    "lifecycle.read",
                    "dsr.read",
                    "consent.read",
                    "minimize.report",
                    "incident.read",
                    "incident.list",
                    "incident.register",
                ),
                description="Audit and compliance, read-only; no customer records.",
            ),
        )
    }
)


def parse_roles(text: str, source: str = "policy") -> list[Role]:
    """Parse custom roles from a YAML policy file.

    Raises:
        InvalidInput: naming the role and the problem.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        raise InvalidInput(f"{source}: not valid YAML") from None
    items = doc.get("roles") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise InvalidInput(f"{source}: expected a top-level 'roles:' list")
    return [_role(item, source) for item in items]


def _role(item: Any, source: str) -> Role:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise InvalidInput(f"{source}: every role needs a name")
    name = item["name"]
    if name in BUILTIN_ROLES:
        raise InvalidInput(f"{source}: role {name!r} is built in and cannot be redefined")
    unknown = set(item) - {"name", "allow", "deny", "views", "break_glass", "description"}
    if unknown:
        raise InvalidInput(f"{source}: role {name!r}: unknown key(s) {sorted(unknown)}")
    views = item.get("views") or {"*": "none"}
    bad = [v for v in views.values() if v not in VIEW_ORDER]
    if bad:
        raise InvalidInput(
            f"{source}: role {name!r}: unknown view {bad[0]!r}; valid: {', '.join(VIEW_ORDER)}"
        )
    allow, deny = item.get("allow") or [], item.get("deny") or []
    if not all(isinstance(a, str) for a in [*allow, *deny]):
        raise InvalidInput(f"{source}: role {name!r}: allow/deny must be lists of actions")
    return Role(
        name,
        tuple(allow),
        tuple(deny),
        MappingProxyType(dict(views)),
        bool(item.get("break_glass", False)),
        str(item.get("description", "")),
    )
