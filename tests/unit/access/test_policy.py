"""The decision function: a table over role x action x field x tenant, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privault.access.policy import DecisionContext, Resource, decide, field_view, needs_mfa
from privault.access.roles import BUILTIN_ROLES, parse_roles
from privault.core.context import Principal
from privault.core.errors import InvalidInput

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CTX = DecisionContext(now=NOW)
T1, T2 = "tnt_assigned", "tnt_other"


def on_t1(role: str, mfa: bool = True) -> Principal:
    """A user holding ``role`` on tenant T1 only, MFA fresh unless told."""
    return Principal(
        f"user:{role}", tenant_roles=frozenset({(T1, role)}), mfa_at=NOW if mfa else None
    )


ACTIONS = [
    "record.read",
    "record.write",
    "record.export",
    "token.detokenize",
    "subject.shred",
    "key.rotate",
    "key.retire",
    "audit.search",
    "user.add",
    "breakglass.open",
    "schema.apply",
]

# role -> the actions it may do on its tenant (everything else: denied)
ALLOWED = {
    "owner": set(ACTIONS),
    "admin": set(ACTIONS) - {"key.retire"},  # explicit deny beats allow "*"
    "security_officer": {
        "record.read",
        "key.rotate",
        "key.retire",
        "audit.search",
        "user.add",
        "breakglass.open",
    },
    "technician": {"record.read", "record.write"},
    "analyst": {"record.read", "record.export"},
    "auditor": {"audit.search"},
}


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
@pytest.mark.parametrize("action", ACTIONS)
def test_decision_table_on_own_tenant(role: str, action: str) -> None:
    d = decide(on_t1(role), action, Resource(T1, "x"), CTX)
    assert d.allowed is (action in ALLOWED[role]), d
    if not d.allowed:
        assert d.rule in ("default-deny", f"deny:role:{role}"), d


@pytest.mark.parametrize("role", sorted(BUILTIN_ROLES))
@pytest.mark.parametrize("action", ACTIONS)
def test_cross_tenant_is_always_denied(role: str, action: str) -> None:
    d = decide(on_t1(role), action, Resource(T2, "x"), CTX)
    assert not d.allowed and d.rule == "tenant-scope"


@pytest.mark.parametrize("role", ["owner", "admin", "security_officer"])
def test_sensitive_actions_need_fresh_mfa(role: str) -> None:
    stale = Principal("u", tenant_roles=frozenset({(T1, role)}), mfa_at=NOW - timedelta(minutes=16))
    for p in (on_t1(role, mfa=False), stale):
        d = decide(p, "key.rotate", Resource(T1, "k"), CTX)
        assert not d.allowed and d.rule == "mfa-required"
    assert decide(on_t1(role), "key.rotate", Resource(T1, "k"), CTX).allowed
    assert decide(on_t1(role, mfa=False), "record.read", Resource(T1, "r"), CTX).allowed


# (role, field key, pii, requested) -> view shown
@pytest.mark.parametrize(
    ("role", "pii", "requested", "shown"),
    [
        ("owner", "US_SSN", "plain", "plain"),
        ("technician", "EMAIL_ADDRESS", "plain", "plain"),  # contact details: plain
        ("technician", "CREDIT_CARD", "plain", "token"),  # cards: token at most
        ("technician", "US_SSN", "plain", "none"),  # SSNs: hidden entirely
        ("technician", None, "plain", "masked"),  # anything else: masked
        ("analyst", "PERSON", "plain", "masked"),  # analysts never see plain
        ("analyst", "CREDIT_CARD", "token", "token"),
        ("analyst", "US_SSN", "masked", "redacted"),
        ("analyst", "SECRET", "masked", "none"),
        ("security_officer", "EMAIL_ADDRESS", "plain", "masked"),
        ("auditor", "PERSON", "masked", "none"),  # no customer data at all
        ("owner", "PERSON", "masked", "masked"),  # never more than asked for
    ],
)
def test_field_views_per_role(role: str, pii: str | None, requested: str, shown: str) -> None:
    assert field_view(on_t1(role), T1, "customer.f", pii, requested, CTX).view == shown
    assert field_view(on_t1(role), T2, "customer.f", pii, requested, CTX).view == "none"


def test_purpose_limits_plain_and_break_glass_lifts_caps() -> None:
    owner = on_t1("owner")
    ctx = DecisionContext(now=NOW, purpose="marketing")
    limited = field_view(owner, T1, "c.email", "EMAIL_ADDRESS", "plain", ctx, ("support",))
    assert (limited.view, limited.rule) == ("masked", "purpose-limited")
    ok = DecisionContext(now=NOW, purpose="support")
    assert (
        field_view(owner, T1, "c.email", "EMAIL_ADDRESS", "plain", ok, ("support",)).view == "plain"
    )
    dsr = DecisionContext(now=NOW, purpose="dsr-access")  # the law's own purpose
    assert (
        field_view(owner, T1, "c.email", "EMAIL_ADDRESS", "plain", dsr, ("support",)).view
        == "plain"
    )
    glass = DecisionContext(now=NOW, break_glass=frozenset({T1}))
    lifted = field_view(on_t1("security_officer"), T1, "c.ssn", "US_SSN", "plain", glass)
    assert (lifted.view, lifted.rule) == ("plain", "break-glass")


def test_api_key_scopes_narrow_and_explicit_deny_wins() -> None:
    scoped = Principal("k", frozenset({"owner"}), mfa_at=NOW, scopes=frozenset({"record.*"}))
    assert decide(scoped, "record.read", Resource(T1, "r"), CTX).allowed
    assert decide(scoped, "user.add", Resource(None, "u"), CTX).rule == "apikey-scope"
    both = Principal("u", frozenset({"owner", "technician"}), mfa_at=NOW)
    assert decide(both, "token.detokenize", Resource(T1, "t"), CTX).rule == "deny:role:technician"


def test_custom_roles_from_policy_file() -> None:
    roles = parse_roles("""
roles:
  - name: support-lead
    allow: [record.read, record.update]
    deny: [record.export]
    views: {"*": masked, EMAIL_ADDRESS: plain}
""")
    ctx = DecisionContext(now=NOW, roles={**BUILTIN_ROLES, **{r.name: r for r in roles}})
    lead = on_t1("support-lead")
    assert decide(lead, "record.update", Resource(T1, "r"), ctx).allowed
    assert not decide(lead, "record.export", Resource(T1, "r"), ctx).allowed
    assert field_view(lead, T1, "c.e", "EMAIL_ADDRESS", "plain", ctx).view == "plain"
    for bad, msg in [
        ("roles: [{name: owner, allow: ['*']}]", "built in"),
        ("roles: [{name: x, views: {'*': peek}}]", "unknown view"),
        ("roles: [{name: x, alow: [a]}]", "unknown key"),
        ("nope", "roles:"),
    ]:
        with pytest.raises(InvalidInput, match=msg):
            parse_roles(bad)


action_names = st.from_regex(r"[a-z]{2,8}\.[a-z]{2,8}", fullmatch=True)


@given(
    action=action_names,
    roles=st.sets(st.sampled_from(sorted(BUILTIN_ROLES))),
    tenant=st.sampled_from([T1, T2, None]),
)
def test_decide_denies_anything_no_rule_grants(
    action: str, roles: set[str], tenant: str | None
) -> None:
    principal = Principal("u", tenant_roles=frozenset((T1, r) for r in roles), mfa_at=NOW)
    d = decide(principal, action, Resource(tenant, "x"), CTX)
    granting = [r for r in roles if BUILTIN_ROLES[r].allows(action)] if tenant == T1 else []
    denying = [r for r in roles if BUILTIN_ROLES[r].denies(action)] if tenant == T1 else []
    assert d.allowed == bool(granting and not denying)
    nobody = Principal("n")
    assert not decide(nobody, action, Resource(tenant, "x"), CTX).allowed


def test_mfa_action_list() -> None:
    assert needs_mfa("role.grant") and needs_mfa("key.rotate") and not needs_mfa("record.read")
