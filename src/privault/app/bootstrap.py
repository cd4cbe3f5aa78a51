"""Build the whole platform from :class:`~privault.core.settings.Settings`.

``init_platform`` makes a new installation (keyfile, schemas, root key);
``open_platform`` opens an existing one. Both return a :class:`Platform`
holding every service; the CLI, the API and tests all start here.
"""

from __future__ import annotations

from dataclasses import dataclass

from privault.access.webauthn import RelyingParty
from privault.app.access import AccessService
from privault.app.auditing import PLATFORM, Auditor
from privault.app.authz import Authorizer
from privault.app.gate import Gate
from privault.app.identity import IdentityService
from privault.app.keys import KeyService
from privault.app.masking import MaskingService
from privault.app.mfa import MfaService
from privault.app.signin import SignInService
from privault.app.tenants import TenantService
from privault.app.trail import TrailService
from privault.app.vault import VaultService
from privault.core.clock import Clock, SystemClock
from privault.core.errors import Conflict, NotFound
from privault.core.secret import Secret
from privault.core.settings import Settings
from privault.crypto.providers.base import KeyProvider
from privault.crypto.providers.registry import build_provider
from privault.keys.hierarchy import KeyHierarchy
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

    def close(self) -> None:
        """Release database connections."""
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
    auditor = Auditor(data, keys, clock)
    authz = Authorizer(data, auditor, clock)
    tenants = TenantService(data, keys, auditor, authz, clock)
    vault = VaultService(data, keys, tenants, auditor, authz, clock)
    gate = Gate(data, keys, tenants, vault, auditor, authz)
    identity = IdentityService(data, auditor, authz, clock)
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
        key_admin=KeyService(keys, tenants, auditor, authz, clock),
        trail=TrailService(auditor, authz),
        identity=identity,
        mfa=mfa,
        signin=SignInService(data, identity, mfa, clock),
        access=AccessService(data, tenants, identity, auditor, authz, clock),
        masking=MaskingService(auditor, authz, keys),
    )
