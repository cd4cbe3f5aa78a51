"""Build the whole platform from :class:`~privault.core.settings.Settings`.

``init_platform`` makes a new installation (keyfile, schemas, root key);
``open_platform`` opens an existing one. Both return a :class:`Platform`
holding every service; the CLI, the API and tests all start here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from privault.access.webauthn import RelyingParty
from privault.app.access import AccessService
from privault.app.auditing import PLATFORM, Auditor
from privault.app.authz import Authorizer
from privault.app.consent_store import ConsentStore
from privault.app.credentials import CredentialService
from privault.app.deid_tokens import DeidTokenService
from privault.app.discovery import ScanService
from privault.app.exports import ExportService
from privault.app.freeze import ExportFreezes
from privault.app.gate import Gate
from privault.app.identity import IdentityService
from privault.app.incident_base import EscalationSetup
from privault.app.incidents import IncidentService
from privault.app.job_service import JobService, build_jobs
from privault.app.keys import KeyService
from privault.app.lifecycle import POLICY_FILE, Deps, Lifecycle, build_lifecycle, load_policies
from privault.app.masking import MaskingService
from privault.app.mfa import MfaService
from privault.app.monitoring import MonitorService
from privault.app.sharing import SharingService
from privault.app.signin import SignInService
from privault.app.tenants import TenantService
from privault.app.trail import TrailService
from privault.app.vault import VaultService
from privault.core.clock import Clock, SystemClock
from privault.core.errors import ConfigurationError, Conflict, NotFound
from privault.core.secret import Secret
from privault.core.settings import Settings
from privault.crypto.providers.base import KeyProvider
from privault.crypto.providers.registry import build_provider
from privault.keys.hierarchy import KeyHierarchy
from privault.monitor.config import load_monitor_config
from privault.sharing.mail import SmtpMailer
from privault.sharing.storage import BlobStore, LocalStore
from privault.store import migrate
from privault.store.engine import make_engine
from privault.store.uow import UnitOfWork


@dataclass(frozen=True)
class Platform:
    """Every service of one privault installation."""

    settings: Settings
    clock: Clock
    data: UnitOfWork
    keystore: UnitOfWork
    keys: KeyHierarchy
    audit: Auditor
    authz: Authorizer
    tenants: TenantService
    vault: VaultService
    gate: Gate
    key_admin: KeyService
    trail: TrailService
    identity: IdentityService
    mfa: MfaService
    signin: SignInService
    access: AccessService
    masking: MaskingService
    discovery: ScanService
    monitor: MonitorService
    lifecycle: Lifecycle
    incidents: IncidentService
    sharing: SharingService
    credentials: CredentialService
    jobs: JobService
    exports: ExportService
    deid_tokens: DeidTokenService

    sinks: Any = None  # secondary audit sinks, closed with the platform

    def close(self) -> None:
        """Release database connections and audit sinks."""
        self.jobs.runner.close()
        self.monitor.close()
        if self.sinks is not None:
            self.sinks.close()
        self.data.engine.dispose()
        self.keystore.engine.dispose()


def _passphrase(settings: Settings, passphrase: Secret[str] | None) -> Secret[str] | None:
    if passphrase is not None:
        return passphrase
    if settings.passphrase is not None:
        return Secret(settings.passphrase.get_secret_value())
    return None


def upgrade_databases(settings: Settings) -> list[tuple[str, str | None, str]]:
    """Migrate both stores to head; return (store, before, after) for each."""
    out: list[tuple[str, str | None, str]] = []
    for store, url in (
        ("data", settings.resolved_database_url),
        ("keys", settings.resolved_keystore_url),
    ):
        engine = make_engine(url)
        try:
            before, after = migrate.upgrade(engine, store)  # type: ignore[arg-type]
        finally:
            engine.dispose()
        out.append((store, before, after))
    return out


def init_platform(
    settings: Settings, passphrase: Secret[str] | None = None, clock: Clock | None = None
) -> Platform:
    """Create a new installation: keyfile (local provider), schemas, root key v1.

    Raises:
        Conflict: the installation exists already.

    """
    upgrade_databases(settings)
    pw = _passphrase(settings, passphrase)
    exists = settings.key_provider == "local" and settings.resolved_keyfile.exists()
    if exists:
        raise Conflict(f"already initialised: {settings.resolved_keyfile} exists")
    provider = build_provider(settings, pw, create=True)
    platform = _assemble(settings, provider, clock or SystemClock())
    platform.keys.ensure_root()
    try:
        platform.keys.tenant_key(PLATFORM, "index", 1)
    except NotFound:
        platform.keys.create_tenant_keys(PLATFORM)
    return platform


def open_platform(
    settings: Settings | None = None,
    passphrase: Secret[str] | None = None,
    clock: Clock | None = None,
) -> Platform:
    """Open an existing installation.

    Raises:
        ConfigurationError: schemas missing or behind (run ``privault db upgrade``).
        WrongPassphrase: the keyfile does not unseal.
        NotFound: not initialised.

    """
    from privault.core.settings import load_settings

    settings = settings or load_settings()
    for store, url in (
        ("data", settings.resolved_database_url),
        ("keys", settings.resolved_keystore_url),
    ):
        engine = make_engine(url)
        try:
            migrate.require_current(engine, store)  # type: ignore[arg-type]
        finally:
            engine.dispose()
    provider = build_provider(settings, _passphrase(settings, passphrase))
    platform = _assemble(settings, provider, clock or SystemClock())
    if not platform.keys.roots():
        raise NotFound("the key store has no root key; run 'privault init'")
    return platform


def _assemble(settings: Settings, provider: KeyProvider, clock: Clock) -> Platform:
    data = UnitOfWork(make_engine(settings.resolved_database_url))
    keystore = UnitOfWork(make_engine(settings.resolved_keystore_url))
    keys = KeyHierarchy(provider, keystore, clock)
    monitor_config = load_monitor_config(settings.data_dir / "monitor.yaml")
    auditor = Auditor(data, keys, clock, checkpoint_every=monitor_config.checkpoint_every)
    sinks = auditor.attach_sinks(monitor_config.sinks)
    authz = Authorizer(data, auditor, clock)
    tenants = TenantService(data, keys, auditor, authz, clock)
    vault = VaultService(data, keys, tenants, auditor, authz, clock)
    consent_store = ConsentStore()
    gate = Gate(
        data,
        keys,
        tenants,
        vault,
        auditor,
        authz,
        consent=consent_store,
        freezes=ExportFreezes(data),
    )
    identity = IdentityService(data, auditor, authz, clock)
    key_admin = KeyService(keys, tenants, auditor, authz, clock)
    monitor = MonitorService(data, auditor, authz, tenants, vault, identity, clock, monitor_config)
    monitor.attach()
    escalation = EscalationSetup(settings.data_dir / "escalation.yaml", tuple(monitor.notifiers))
    masking = MaskingService(auditor, authz, keys)
    rp = RelyingParty(settings.webauthn_rp_id, "privault", settings.webauthn_origin)
    mfa = MfaService(data, keys, identity, auditor, authz, clock, rp)
    return Platform(
        settings=settings,
        clock=clock,
        data=data,
        keystore=keystore,
        keys=keys,
        audit=auditor,
        authz=authz,
        tenants=tenants,
        vault=vault,
        gate=gate,
        key_admin=key_admin,
        trail=TrailService(auditor, authz),
        identity=identity,
        mfa=mfa,
        signin=SignInService(data, identity, mfa, authz, clock),
        access=AccessService(data, tenants, identity, auditor, authz, clock),
        masking=masking,
        discovery=ScanService(data, auditor, authz, tenants, clock),
        monitor=monitor,
        incidents=IncidentService(
            data, auditor, authz, tenants, gate, identity, key_admin, clock, escalation
        ),
        lifecycle=build_lifecycle(
            Deps(data, keys, tenants, vault, gate, auditor, authz, clock),
            consent_store,
            load_policies(settings.data_dir / POLICY_FILE),
        ),
        sinks=sinks,
        sharing=SharingService(
            data, keys, tenants, auditor, authz, clock, _share_store(settings), _mailer(settings)
        ),
        credentials=CredentialService(data, keys, tenants, auditor, authz, clock),
        jobs=build_jobs(settings, data, auditor, authz, tenants, keys, clock),
        exports=ExportService(data, keys, auditor, authz, masking, clock),
        deid_tokens=DeidTokenService(tenants, vault, gate, masking, auditor, authz),
    )


def _share_store(settings: Settings) -> BlobStore:
    """Where shared files' encrypted chunks live: the data dir, or S3."""
    if settings.share_storage == "s3":
        if not settings.share_s3_bucket:
            raise ConfigurationError("share_storage=s3 needs PRIVAULT_SHARE_S3_BUCKET")
        from privault.sharing.s3 import S3Store  # boto3 is the optional "aws" extra

        return S3Store.connect(
            settings.share_s3_bucket,
            settings.share_s3_prefix,
            settings.share_s3_endpoint_url or None,
        )
    return LocalStore(settings.data_dir / "shares")


def _mailer(settings: Settings) -> SmtpMailer | None:
    """The SMTP mailer for recipients' one-time codes (None: not configured)."""
    if not settings.smtp_host:
        return None
    password = settings.smtp_password
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username or None,
        password=Secret(password.get_secret_value()) if password else None,
        starttls=settings.smtp_starttls,
    )
