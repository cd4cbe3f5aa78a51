"""The built-in checks, one small class each (see :data:`BUILTIN`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from privault.compliance.checks import (
    PRIVILEGED,
    Check,
    CheckContext,
    CheckResult,
    capped,
    not_applicable,
    result,
)
from privault.compliance.facts import SystemView
from privault.compliance.training import stale_staff


@dataclass(frozen=True, slots=True)
class VaultEncrypted:
    """Every stored vault field carries an envelope header."""

    name: str = "vault-fields-encrypted"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Count fields without an envelope header."""
        stats = view.vault_envelopes(ctx.tenant)
        bad = [f"{rid}.{f}" for rid, f in stats.unencrypted]
        ok = not bad
        why = (
            f"all {stats.fields_checked} stored field(s) are encrypted"
            if ok
            else f"{len(bad)} of {stats.fields_checked} stored field(s) lack an envelope header"
        )
        return result(
            self.name,
            ok,
            why,
            records_checked=stats.records_checked,
            fields_checked=stats.fields_checked,
            unencrypted=len(bad),
            unencrypted_fields=capped(bad),
        )


@dataclass(frozen=True, slots=True)
class NoUnprotectedPii:
    """Discovery finds PII only inside protected stores."""

    name: str = "no-unprotected-pii"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Count PII columns in non-vault sources, by type."""
        found = view.discovered_pii(ctx.tenant)
        outside = [p for p in found if not p.protected]
        types = Counter(t for p in outside for t in p.pii_types)
        where = sorted({f"{p.source}/{p.dataset}.{p.column}" for p in outside})
        ok = not outside
        why = (
            f"no PII column outside protected stores among {len(found)} PII column(s) mapped"
            if ok
            else f"{len(outside)} PII column(s) in {len({p.source for p in outside})} "
            "unprotected source(s): move them into the vault or mask them"
        )
        return result(
            self.name,
            ok,
            why,
            pii_columns=len(found),
            unprotected_columns=len(outside),
            by_type=dict(sorted(types.items())),
            locations=capped(where),
        )


@dataclass(frozen=True, slots=True)
class MfaPrivileged:
    """Every privileged user has a second factor."""

    name: str = "mfa-privileged-users"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """List privileged users without MFA (service accounts use scoped keys)."""
        users = [u for u in view.users() if u.kind == "user" and PRIVILEGED & set(u.roles)]
        if not users:
            return not_applicable(self.name, "no user holds a privileged role", privileged=0)
        missing = sorted(u.username for u in users if not u.mfa)
        why = (
            f"all {len(users)} privileged user(s) have MFA"
            if not missing
            else f"{len(missing)} of {len(users)} privileged user(s) have no second factor"
        )
        return result(
            self.name, not missing, why, privileged=len(users), without_mfa=capped(missing)
        )


@dataclass(frozen=True, slots=True)
class NoUnusedAdminGrants:
    """No privileged grant went unused for the review period."""

    name: str = "no-unused-admin-grants"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Unused grants of privileged roles, from the least-privilege report."""
        days = view.settings.unused_grant_days
        unused = [
            f"{user}: {detail}"
            for user, detail in view.unused_grants(days)
            if any(f"role {r}" in detail for r in PRIVILEGED)
        ]
        why = (
            f"no privileged grant unused for {days} days"
            if not unused
            else f"{len(unused)} privileged grant(s) unused for {days} days: revoke them"
        )
        return result(self.name, not unused, why, days=days, unused=capped(sorted(unused)))


@dataclass(frozen=True, slots=True)
class KeysRotated:
    """Every current key is younger than the policy's maximum age."""

    name: str = "keys-rotated"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Current key versions older than ``max_key_age_days``."""
        limit = view.settings.max_key_age_days
        keys = view.keys()
        old = sorted(
            f"{k.scope}/{k.purpose} v{k.version} ({k.age_days:g} days)"
            for k in keys
            if k.age_days > limit
        )
        why = (
            f"all {len(keys)} current key(s) younger than {limit} days"
            if not old
            else f"{len(old)} key(s) older than {limit} days: run 'privault keys rotate'"
        )
        oldest = max((k.age_days for k in keys), default=0.0)
        return result(
            self.name,
            not old,
            why,
            max_age_days=limit,
            keys=len(keys),
            oldest_days=oldest,
            overdue=capped(old),
        )


@dataclass(frozen=True, slots=True)
class AuditChainVerifies:
    """The audit chains and checkpoints verify, and the trail covers the period."""

    name: str = "audit-chain-verifies"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Verify the trail; check its first event is no later than the period start."""
        a = view.audit()
        days = view.settings.audit_period_days
        start = ctx.now - timedelta(days=days)
        evidence = {
            "events": a.events,
            "chains": a.chains,
            "checkpoints": a.checkpoints,
            "problems": a.problems,
            "first_event_at": a.first_at.isoformat() if a.first_at else None,
            "last_event_at": a.last_at.isoformat() if a.last_at else None,
            "period_days": days,
        }
        if a.problems:
            return result(self.name, False, f"{a.problems} problem(s) in the trail", **evidence)
        if a.events == 0 or a.first_at is None:
            return result(self.name, False, "the audit trail is empty", **evidence)
        covered = "covers the period" if a.first_at <= start else "covers the system's life"
        why = f"{a.events} event(s) in {a.chains} chain(s) verify; the trail {covered}"
        return result(self.name, True, why, **evidence)


@dataclass(frozen=True, slots=True)
class RetentionCoversCategories:
    """Every record type, in every data category, has a retention rule."""

    name: str = "retention-covers-categories"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Record types kept forever, grouped by category."""
        facts = view.retention(ctx.tenant)
        if not facts:
            return not_applicable(self.name, "no record type is defined", record_types=0)
        missing = sorted(f"{f.tenant}/{f.record_type}" for f in facts if f.keep is None)
        categories = sorted({f.category for f in facts})
        uncovered = sorted({f.category for f in facts if f.keep is None})
        why = (
            f"all {len(facts)} record type(s) in {len(categories)} categor(ies) have a rule"
            if not missing
            else f"{len(missing)} record type(s) are kept forever (categories: "
            f"{', '.join(uncovered)}): add retention.yaml rules or schema retention"
        )
        return result(
            self.name,
            not missing,
            why,
            record_types=len(facts),
            categories=categories,
            categories_uncovered=uncovered,
            without_rule=capped(missing),
        )


@dataclass(frozen=True, slots=True)
class DsrOnTime:
    """No data-subject request is overdue or was answered late."""

    name: str = "dsr-on-time"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Open requests past due, and closed ones closed after their due date."""
        reqs = view.dsrs(ctx.tenant)
        if not reqs:
            return not_applicable(self.name, "no data-subject request was received", requests=0)
        today = ctx.now.date()
        overdue = sorted(r.id for r in reqs if r.closed_on is None and r.due_on < today)
        late = sorted(r.id for r in reqs if r.closed_on is not None and r.closed_on > r.due_on)
        bad = overdue + late
        why = (
            f"all {len(reqs)} request(s) answered or open within their deadline"
            if not bad
            else f"{len(overdue)} request(s) overdue, {len(late)} answered late"
        )
        return result(
            self.name,
            not bad,
            why,
            requests=len(reqs),
            open=sum(1 for r in reqs if r.closed_on is None),
            overdue=capped(overdue),
            answered_late=capped(late),
        )


@dataclass(frozen=True, slots=True)
class IncidentClocks:
    """No open incident is past its notification deadline."""

    name: str = "incident-clocks"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Open incidents whose deadline passed."""
        incidents = view.incidents(ctx.tenant)
        if incidents is None:
            return not_applicable(self.name, "this installation has no incident service")
        open_ = [i for i in incidents if i.open]
        late = sorted(i.id for i in open_ if i.deadline is not None and i.deadline < ctx.now)
        why = (
            f"{len(open_)} open incident(s), none past its notification deadline"
            if not late
            else f"{len(late)} open incident(s) past their notification deadline"
        )
        return result(self.name, not late, why, open=len(open_), past_deadline=capped(late))


@dataclass(frozen=True, slots=True)
class BackupsEncrypted:
    """Backups of the data store hold only ciphertext, and never the keys to it.

    Verified, not declared: every vault field is an envelope, and the key
    store is a separate database (a copy of the data store alone is useless
    to whoever gets it). A declared ``backups_encrypted: false`` (e.g. other
    stores backed up in the clear) fails the control too.
    """

    name: str = "backups-encrypted"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Key store apart, every field an envelope, and nothing declared otherwise."""
        storage = view.storage()
        plain = len(view.vault_envelopes(ctx.tenant).unencrypted)
        declared = view.settings.backups_encrypted
        ok = storage.keystore_separate and plain == 0 and declared is not False
        if not storage.keystore_separate:
            why = "the key store shares the data store's database: its backups hold the keys"
        elif plain:
            why = f"{plain} vault field(s) are stored without encryption"
        elif declared is False:
            why = "backups are declared unencrypted in the compliance settings"
        else:
            why = "data-store backups hold only ciphertext; the keys live in a separate store"
        return result(
            self.name,
            ok,
            why,
            keystore_separate=storage.keystore_separate,
            unencrypted_fields=plain,
            declared=declared,
        )


@dataclass(frozen=True, slots=True)
class TrainingCurrent:
    """Every staff member completed training within the validity period."""

    name: str = "training-current"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Staff whose latest training is missing or too old."""
        s = view.settings
        if s.training is None:
            return not_applicable(self.name, "no training records were imported")
        stale = stale_staff(s.training, s.staff, ctx.now.date(), s.training_valid_days)
        people = len(set(s.staff) | {r.name for r in s.training})
        why = (
            f"all {people} staff member(s) trained within {s.training_valid_days} days"
            if not stale
            else f"{len(stale)} of {people} staff member(s) not trained within "
            f"{s.training_valid_days} days"
        )
        return result(
            self.name,
            not stale,
            why,
            records=len(s.training),
            staff=people,
            stale=len(stale),
            valid_days=s.training_valid_days,
        )


@dataclass(frozen=True, slots=True)
class TlsInTransit:
    """The server serves over TLS (as the running server recorded it)."""

    name: str = "tls-in-transit"

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """The flag passed in, else what ``privault serve`` recorded when it started."""
        flag = view.settings.tls_enabled
        source = "check option"
        if flag is None:
            storage = view.storage()
            flag, source = storage.server_tls, f"server on {storage.server_host}"
        if flag is None:
            return not_applicable(self.name, "no server has started on this installation")
        why = "the server serves over TLS" if flag else "the server serves without TLS"
        return result(self.name, flag, why, tls=flag, source=source)


BUILTIN: tuple[Check, ...] = (
    VaultEncrypted(),
    NoUnprotectedPii(),
    MfaPrivileged(),
    NoUnusedAdminGrants(),
    KeysRotated(),
    AuditChainVerifies(),
    RetentionCoversCategories(),
    DsrOnTime(),
    IncidentClocks(),
    BackupsEncrypted(),
    TrainingCurrent(),
    TlsInTransit(),
)
