"""Per-record-type field encoding: validate, encrypt, index and tokenize a batch.

Built once per (tenant, schema) and reused for every record of a batch, so
the hot path does no key derivation and no schema lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from privault.core.errors import InvalidInput
from privault.crypto._primitives import Aead
from privault.keys.hierarchy import KeyHierarchy
from privault.vault import tokens as tok
from privault.vault.repository import FieldRow
from privault.vault.schema import FieldSpec, RecordSchema, coerce
from privault.vault.sealing import (
    aad_part,
    aad_prefix,
    blind_index,
    normalize_for_index,
    seal_field,
)


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    name: str
    spec: FieldSpec
    scope: str
    index_key: bytes | None
    token_key: bytes | None
    aad_suffix: bytes
    category: str


class FieldCodec:
    """Encodes the fields of one record type of one tenant."""

    def __init__(self, keys: KeyHierarchy, tenant_id: str, schema: RecordSchema) -> None:
        self.tenant_id = tenant_id
        self.schema = schema
        self.plans: dict[str, _FieldPlan] = {}
        self._aad_prefix = aad_prefix(tenant_id, schema.record_type)
        for name, spec in schema.fields.items():
            scope = f"{schema.record_type}.{name}"
            index_key = (
                keys.derived_key(tenant_id, "index", f"blind/{scope}") if spec.searchable else None
            )
            token_key = keys.derived_key(tenant_id, "token", f"{spec.tokenize}/{scope}")
            self.plans[name] = _FieldPlan(
                name, spec, scope, index_key, token_key, aad_part(name), schema.category_of(name)
            )

    def validate(self, values: Mapping[str, Any], *, partial: bool = False) -> dict[str, str]:
        """Check names, types and required fields; return canonical text values.

        Empty strings and None count as absent.

        Raises:
            InvalidInput: naming the field (never the value).

        """
        out: dict[str, str] = {}
        for name, value in values.items():
            spec = self.schema.field(name)
            if value is None or value == "":
                continue
            out[name] = coerce(spec, name, value)
        if not partial:
            missing = [n for n, s in self.schema.fields.items() if s.required and n not in out]
            if missing:
                raise InvalidInput(
                    f"missing required field(s): {', '.join(missing)}", fields=missing
                )
        return out

    def record_aad(self, record_id: str) -> bytes:
        """The AAD prefix of every field of one record (append the field's suffix)."""
        return self._aad_prefix + aad_part(record_id)

    def subject_of(self, record_id: str, values: Mapping[str, str]) -> str:
        """The data subject of a record: its subject field, else the record itself."""
        field = self.schema.subject_field
        if field is None:
            return record_id
        subject = values.get(field)
        if not subject:
            raise InvalidInput(f"the subject field {field!r} is required")
        return subject

    def encode(
        self,
        aead: Aead,
        record_id: str,
        subject_id: str,
        values: Mapping[str, str],
        token_rows: list[dict[str, Any]],
        now: Any,
    ) -> list[FieldRow]:
        """Field rows for one record; appends stored-token rows to ``token_rows``."""
        rows = []
        record_aad = self.record_aad(record_id)
        for name, text in values.items():
            plan = self.plans[name]
            aad = record_aad + plan.aad_suffix
            index = (
                blind_index(plan.index_key, text, plan.spec.pii)
                if plan.index_key is not None
                else None
            )
            token = self._token(plan, aead, text, subject_id, token_rows, now)
            rows.append((record_id, name, seal_field(aead, text, aad), index, token))
        return rows

    def _token(
        self,
        plan: _FieldPlan,
        aead: Aead,
        text: str,
        subject_id: str,
        token_rows: list[dict[str, Any]],
        now: Any,
    ) -> str | None:
        kind = plan.spec.tokenize
        if kind == "none":
            return None
        assert plan.token_key is not None
        if kind == "fpe":
            return tok.fpe_token(plan.token_key, plan.scope, plan.spec.pii or "", text)
        if kind == "random":
            token = tok.random_token()
        else:
            token = tok.deterministic_token(
                plan.token_key, plan.scope, normalize_for_index(text, plan.spec.pii)
            )
        token_rows.append(
            {
                "tenant_id": self.tenant_id,
                "token": token,
                "kind": kind,
                "scope": plan.scope,
                "subject_id": subject_id,
                "created_at": now,
                "ciphertext": aead.seal(text.encode(), tok.token_aad(self.tenant_id, token)),
            }
        )
        return token

    def view_token(self, name: str, text: str) -> str:
        """A deterministic token for the ``token`` view of a field without a stored one."""
        plan = self.plans[name]
        assert plan.token_key is not None
        return tok.deterministic_token(
            plan.token_key, plan.scope, normalize_for_index(text, plan.spec.pii), tok.VIEW_PREFIX
        )
