"""The credential vault on SQLite and PostgreSQL: gated reveals, scoping, honeytokens."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest

from privault.app.bootstrap import Platform
from privault.app.credentials import CredentialService
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, InvalidInput, KeyDestroyed, NotFound
from privault.core.secret import Secret
from privault.credentials.items import ItemMeta, ItemSecrets, NewItem
from privault.crypto.kdf import Argon2Params
from tests.unit.credentials.test_formats import BITWARDEN_CSV, BITWARDEN_JSON, KEEPASS_CSV

CANARY = "pw-canary-Zx81!q"
SEED = "JBSWY3DPEHPK3PXPJBSWY3DP"  # 120 bits: the access.totp path
CRED_TECH = """
roles:
  - name: cred-tech
    allow: [cred.list, cred.reveal, cred.totp]
"""


@pytest.fixture
def creds(platform: Platform, admin: RequestContext) -> CredentialService:
    platform.tenants.create(admin, "acme")
    platform.tenants.create(admin, "globex")
    svc = CredentialService(
        platform.data, platform.keys, platform.tenants, platform.audit, platform.authz,
        platform.clock,
    )  # fmt: skip
    svc.export_kdf = Argon2Params(memory_kib=8192, iterations=1, parallelism=1)
    return svc


def _item(title: str, password: str, **kw: object) -> NewItem:
    return NewItem(
        ItemMeta(title, "admin", f"https://{title}.test"),
        ItemSecrets(Secret(password), Secret(SEED), Secret("notes"), {"PIN": Secret("1234")}),
        **kw,  # type: ignore[arg-type]
    )


def _tech(platform: Platform, admin: RequestContext, user: str = "tom") -> RequestContext:
    platform.access.apply_roles(admin, CRED_TECH)
    acme = platform.tenants.get("acme").id
    roles = frozenset({(acme, "cred-tech")})
    # A reveal is a step-up action: the technician proved a second factor just now.
    return RequestContext(
        Principal(f"user:{user}", tenant_roles=roles, mfa_at=platform.clock.now())
    )


def test_reveal_is_gated_audited_and_leaves_no_plaintext(
    platform: Platform, creds: CredentialService, admin: RequestContext, clock: FixedClock
) -> None:
    item_id = creds.add(admin, "acme", _item("fw", CANARY))
    [summary] = creds.list_items(admin, "acme")
    assert (summary.id, summary.title, summary.login) == (item_id, "fw", "admin")
    with pytest.raises(InvalidInput, match="purpose"):
        creds.reveal(admin, "acme", item_id, purpose=" ")
    assert creds.reveal(admin, "acme", item_id, purpose="ticket 1").reveal() == CANARY
    assert (
        creds.reveal(admin, "acme", item_id, purpose="t", field="field:PIN", copy=True).reveal()
        == "1234"
    )
    code = creds.totp(admin, "acme", item_id, purpose="login")
    assert code.reveal() == pyotp.TOTP(SEED).at(clock.now())
    events = platform.audit.search(action="cred.reveal")
    assert [(e.purpose, e.detail["mode"], e.outcome) for e in events] == [
        ("t", "copy", "allowed"),
        ("ticket 1", "reveal", "allowed"),
    ]
    for path in platform.settings.data_dir.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert CANARY not in repr(platform.audit.search(limit=500))
    creds.rotate(admin, "acme", item_id, Secret("new-pass-Qw9!x"))
    assert creds.reveal(admin, "acme", item_id, purpose="p").reveal() == "new-pass-Qw9!x"
    creds.delete(admin, "acme", item_id)
    assert creds.list_items(admin, "acme") == []
    tenant_id = platform.tenants.get("acme").id
    assert not platform.keys.subject_ciphers(tenant_id, [f"_cred:{item_id}"], create=False)
    _ = KeyDestroyed


def test_technician_cannot_reach_another_clients_credentials(
    platform: Platform, creds: CredentialService, admin: RequestContext
) -> None:
    mine = creds.add(admin, "acme", _item("acme-fw", "a-pass-1"))
    theirs = creds.add(admin, "globex", _item("globex-fw", "g-pass-1"))
    tom = _tech(platform, admin)
    assert [s.id for s in creds.list_items(tom, "acme")] == [mine]
    assert creds.reveal(tom, "acme", mine, purpose="ticket 9").reveal() == "a-pass-1"
    with pytest.raises(AccessDenied, match="tenant-scope"):
        creds.list_items(tom, "globex")
    with pytest.raises(AccessDenied, match="tenant-scope"):
        creds.reveal(tom, "globex", theirs, purpose="ticket 9")
    with pytest.raises(NotFound):  # the item id alone does not cross tenants
        creds.reveal(tom, "acme", theirs, purpose="ticket 9")
    with pytest.raises(AccessDenied, match=r"cred\.export"):
        creds.export(tom, "acme", purpose="backup", plain=True)
    denied = [e for e in platform.audit.search(actor="user:tom") if e.outcome == "denied"]
    assert {e.action for e in denied} >= {"cred.list", "cred.reveal", "cred.export"}


def test_items_shared_by_named_user_and_role(
    platform: Platform, creds: CredentialService, admin: RequestContext
) -> None:
    tom, ann = _tech(platform, admin, "tom"), _tech(platform, admin, "ann")
    private = creds.add(admin, "acme", _item("ann-only", "p1", share_users=("user:ann",)))
    by_role = creds.add(admin, "acme", _item("crew", "p2", share_roles=("cred-tech",)))
    assert {s.id for s in creds.list_items(tom, "acme")} == {by_role}
    assert {s.id for s in creds.list_items(ann, "acme")} == {private, by_role}
    with pytest.raises(AccessDenied, match="item-sharing"):
        creds.reveal(tom, "acme", private, purpose="p")
    assert creds.reveal(ann, "acme", private, purpose="p").reveal() == "p1"


def test_honeytoken_reveal_raises_a_critical_alert_event(
    platform: Platform, creds: CredentialService, admin: RequestContext
) -> None:
    decoy = creds.add(admin, "acme", _item("domain-admin", "Decoy-Pass-2026!", honeytoken=True))
    tom = _tech(platform, admin)
    [seen] = creds.list_items(tom, "acme")
    assert seen.honeytoken is False  # indistinguishable to a non-manager
    assert creds.list_items(admin, "acme")[0].honeytoken is True
    assert creds.reveal(tom, "acme", decoy, purpose="curious").reveal() == "Decoy-Pass-2026!"
    [event] = platform.audit.search(action="cred.reveal")
    assert event.outcome == "alert" and event.actor == "user:tom"
    assert event.detail["honeytoken"] is True and event.detail["severity"] == "critical"
    assert platform.audit.verify().ok


def test_health_report_weak_reused_old(
    platform: Platform, creds: CredentialService, admin: RequestContext, clock: FixedClock
) -> None:
    old = creds.add(admin, "acme", _item("old", "hP5^zD2&fJ9*mC4!", rotate_days=30))
    clock.advance(timedelta(days=400))
    weak = creds.add(admin, "acme", _item("weak", "Summer2024"))
    breached = creds.add(admin, "acme", _item("breached", "iloveyou"))
    a = creds.add(admin, "acme", _item("reuse-a", "Tq8!vN3#rB6$kW1@"))
    b = creds.add(admin, "acme", _item("reuse-b", "Tq8!vN3#rB6$kW1@"))
    good = creds.add(admin, "acme", _item("good", "vK9#mQ2$xL7!pR4@wZ"))
    creds.add(admin, "acme", _item("decoy", "123456", honeytoken=True))  # not reported
    report = creds.health(admin, "acme", max_age_days=365)
    issues = {i.item_id: i.issues for i in report.items}
    assert issues == {
        old: ("old",), weak: ("weak",), breached: ("weak", "breached"),
        a: ("reused",), b: ("reused",), good: (),
    }  # fmt: skip
    assert [r.item_id for r in report.reminders] == [old]
    [event] = platform.audit.search(action="cred.health")
    assert event.purpose == "health-check" and "iloveyou" not in repr(report)


def test_import_and_export(
    platform: Platform, creds: CredentialService, admin: RequestContext
) -> None:
    bw = creds.import_items(admin, "acme", json.dumps(BITWARDEN_JSON).encode(), "bitwarden-json")
    bw_csv = creds.import_items(admin, "acme", BITWARDEN_CSV.encode(), "bitwarden-csv")
    kp = creds.import_items(admin, "acme", KEEPASS_CSV.encode(), "keepass-csv")
    assert (len(bw.ids), bw.skipped, len(bw_csv.ids), len(kp.ids)) == (2, 1, 2, 2)
    titles = {s.title for s in creds.list_items(admin, "acme")}
    assert {"Acme firewall", "Acme VPN", "Acme NAS"} <= titles
    creds.add(admin, "acme", _item("decoy", "x-decoy-x", honeytoken=True))
    with pytest.raises(InvalidInput):
        creds.export(admin, "acme", purpose="backup")  # neither passphrase nor plain
    sealed = creds.export(admin, "acme", purpose="backup", passphrase=Secret("long export pass"))
    assert b"fw-pass-1" not in sealed and b"x-decoy-x" not in sealed
    plain = json.loads(creds.export(admin, "acme", purpose="migration", plain=True))
    assert len(plain["items"]) == 6 and "x-decoy-x" not in json.dumps(plain)
    events = platform.audit.search(action="cred.export")
    assert [e.detail.get("plain") for e in events] == [True, False]
    back = creds.import_items(admin, "globex", sealed, "privault", Secret("long export pass"))
    assert len(back.ids) == 6
    fw = next(s.id for s in creds.list_items(admin, "globex") if s.title == "Acme firewall")
    assert creds.reveal(admin, "globex", fw, purpose="check").reveal() == "fw-pass-1"
