"""Vault-backed tokens for de-identification: the deid token-store port over the vault.

``tokenize`` with ``kind: vault`` stores random tokens in the tenant's vault
(``VaultService.tokenize``: ``token.create`` authorized and audited). Turning
them back — :meth:`DeidTokenService.deanonymize` for text, :meth:`reverse_column`
for a masked table column — is a ``token.detokenize``: a sensitive action (a
fresh second factor, same rules as the vault's own detokenize), authorized
first, audited, and the values are then read through the gate.

```
policy (tokenize kind: vault) ─► DeidKeys(project key, tokens=VaultTokenStore)
   mask / anonymize ─► Tokenize.apply_many ─► VaultService.tokenize   (token.create)
   deanonymize / reverse_column ─► authorize token.detokenize ─► audit
        ─► Tokenize.reverse_many ─► Gate.detokenize                   (token.detokenize)
```
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.gate import Gate
from privault.app.masking import MaskingService
from privault.app.tenants import TenantService
from privault.app.vault import VaultService
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import AnonymizedText, DeidKeys, MaskOptions, MaskReport, Policy, TextAnonymizer
from privault.deid.copy import Progress
from privault.deid.operators import Binding, Operator, build_operator
from privault.deid.policy import OperatorRule

__all__ = ["DeidTokenService", "VaultTokenStore"]

DETOKENIZE = "token.detokenize"


class VaultTokenStore:
    """The deid :class:`~privault.deid.tokens.TokenStore` over one tenant's vault, for one caller.

    Args:
        vault: issues tokens (``token.create``).
        gate: resolves them (``token.detokenize``, step-up, audited).
        ctx: who asks.
        tenant: the tenant slug or id whose vault holds the tokens.
        purpose: why values are read back (needed to detokenize).

    """

    def __init__(
        self, vault: VaultService, gate: Gate, ctx: RequestContext, tenant: str, purpose: str | None
    ) -> None:
        self._vault = vault
        self._gate = gate
        self._ctx = ctx
        self._tenant = tenant
        self._purpose = purpose

    def tokenize(self, values: Sequence[str], *, scope: str) -> list[str]:
        """Random vault tokens for ``values`` (scope ``deid-<scope>``)."""
        return self._vault.tokenize(
            self._ctx, self._tenant, list(values), kind="random", scope=f"deid-{scope}"
        )

    def detokenize(self, tokens: Sequence[str], *, scope: str) -> list[str]:
        """Values of vault tokens, through the gate.

        Raises:
            InvalidInput: no purpose was given.
            AccessDenied: ``token.detokenize`` denied (role, or no fresh second factor).
            NotFound: a token was never issued (or its subject was shredded).

        """
        if not self._purpose:
            raise InvalidInput("turning tokens back into values needs a purpose")
        return self._gate.detokenize(
            self._ctx, self._tenant, list(tokens), purpose=self._purpose, scope=f"deid-{scope}"
        )


class DeidTokenService:
    """De-identification with vault-backed tokens, and its authorized reversal.

    Args:
        tenants: resolves tenants.
        vault: issues tokens.
        gate: resolves tokens.
        masking: masked copies and text anonymization.
        auditor: writes the audit trail.
        authz: decides ``token.detokenize``.

    """

    def __init__(
        self,
        tenants: TenantService,
        vault: VaultService,
        gate: Gate,
        masking: MaskingService,
        auditor: Auditor,
        authz: Authorizer,
    ) -> None:
        self._tenants = tenants
        self._vault = vault
        self._gate = gate
        self._masking = masking
        self._audit = auditor
        self._authz = authz

    def keys(
        self, ctx: RequestContext, tenant: str, key: Secret[bytes], *, purpose: str | None = None
    ) -> DeidKeys:
        """The project keys bound to ``tenant``'s vault for ``ctx`` (tokens issued and read)."""
        self._tenants.get(tenant)  # raises NotFound before any data moves
        return DeidKeys(key, tokens=VaultTokenStore(self._vault, self._gate, ctx, tenant, purpose))

    def mask_file(
        self,
        ctx: RequestContext,
        tenant: str,
        source: Path,
        dest: Path,
        policy: Policy,
        key: Secret[bytes],
        *,
        options: MaskOptions | None = None,
        progress: Progress | None = None,
    ) -> MaskReport:
        """A masked copy whose ``tokenize`` (kind vault) columns hold ``tenant``'s vault tokens."""
        keys = self.keys(ctx, tenant, key)
        return self._masking.mask_file(
            ctx, source, dest, policy, keys, options=options, progress=progress
        )

    def anonymize_texts(
        self,
        ctx: RequestContext,
        tenant: str,
        texts: Sequence[str],
        policy: Policy,
        key: Secret[bytes],
    ) -> list[AnonymizedText]:
        """Detect and anonymize texts; vault tokens go to ``tenant``'s vault."""
        return self._masking.anonymize_texts(ctx, texts, policy, self.keys(ctx, tenant, key))

    def _authorize(self, ctx: RequestContext, tenant: str, purpose: str, **detail: Any) -> None:
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/tokens"
        decision = self._authz.check(ctx, DETOKENIZE, t.id, path, purpose)
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "deid.reverse",
                    path,
                    tenant_id=t.id,
                    decision=decision,
                    purpose=purpose,
                    **detail,
                )
            ]
        )

    def deanonymize(
        self,
        ctx: RequestContext,
        tenant: str,
        items: Sequence[AnonymizedText],
        policy: Policy,
        key: Secret[bytes],
        *,
        purpose: str,
    ) -> list[str]:
        """Restore the reversible spans of anonymized texts (vault tokens in one batch).

        Raises:
            AccessDenied: ``token.detokenize`` denied (role, or no fresh second factor).
            NotFound: a token unknown to ``tenant``'s vault.

        """
        self._authorize(ctx, tenant, purpose, texts=len(items))
        anonymizer = TextAnonymizer(policy, self.keys(ctx, tenant, key, purpose=purpose))
        by_entity: dict[str, list[str]] = {}
        for text in items:
            for item in text.items:
                by_entity.setdefault(item.entity_type, []).append(item.text)
        for entity, spans in by_entity.items():  # one gated detokenize per operator
            op = anonymizer.operator(entity)
            if op.name == "tokenize" and op.reverses:
                op.reverse_many(spans)
        return [anonymizer.deanonymize(text) for text in items]

    def reverse_column(
        self,
        ctx: RequestContext,
        tenant: str,
        policy: Policy,
        column: str,
        values: Sequence[str | None],
        key: Secret[bytes],
        *,
        purpose: str,
        pii: str | None = None,
    ) -> list[str | None]:
        """Turn a masked column's values back into the originals (nulls stay null).

        Args:
            ctx: who asks.
            tenant: whose vault issued the tokens.
            policy: the policy the copy was made with.
            column: the column's name in that policy (or its PII type via ``pii``).
            values: the masked values.
            key: the project key the copy was made with.
            purpose: why the values are read back.
            pii: the column's PII type, when the policy rule came from it.

        Raises:
            InvalidInput: the column's operator cannot be reversed.
            AccessDenied: ``token.detokenize`` denied (role, or no fresh second factor).

        """
        self._authorize(ctx, tenant, purpose, column=column, count=len(values))
        keys = self.keys(ctx, tenant, key, purpose=purpose)
        op = _column_operator(policy, column, pii, keys)
        present = [v for v in values if v is not None]
        restored = iter(op.reverse_many(present))
        return [None if v is None else next(restored) for v in values]


def _column_operator(policy: Policy, column: str, pii: str | None, keys: DeidKeys) -> Operator[Any]:
    rule = policy.columns.get(column)
    if rule is None and pii is not None:
        rule = policy.rule_for(pii)
    if not isinstance(rule, OperatorRule):
        raise InvalidInput(f"column {column!r} has no operator rule in the policy", column=column)
    binding = Binding(pii, keys, policy.locale)
    op: Operator[Any] = build_operator(rule.operator, rule.params, binding)
    if not op.reverses:
        raise InvalidInput(f"column {column!r} was made by {op.name!r}, which is one-way")
    return op
