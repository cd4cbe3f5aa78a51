"""Import formats: Bitwarden (JSON, CSV) and KeePass 2 (CSV). Pure.

Errors name the item or line number and the column, never a value.
Bitwarden's *encrypted* JSON exports are refused (export unencrypted, import,
then delete the file). Only logins and secure notes are imported; cards and
identities are counted as skipped.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.credentials.items import ItemMeta, ItemSecrets, NewItem, check_item

FORMATS = ("bitwarden-json", "bitwarden-csv", "keepass-csv")
_BW_LOGIN, _BW_NOTE = 1, 2
_KEEPASS = {
    "title": ("Account", "Title"),
    "login": ("Login Name", "Username", "User Name"),
    "password": ("Password",),
    "url": ("Web Site", "URL"),
    "notes": ("Comments", "Notes"),
    "totp": ("TOTP",),
}


def parse(text: str, fmt: str) -> tuple[list[NewItem], int]:
    """Parse an export; return the items and how many entries were skipped.

    Raises:
        InvalidInput: unknown format, or ``item N``/``line N`` and what is wrong.
    """
    if fmt == "bitwarden-json":
        return _bitwarden_json(text)
    if fmt == "bitwarden-csv":
        return _bitwarden_csv(text)
    if fmt == "keepass-csv":
        return _keepass_csv(text)
    raise InvalidInput(f"unknown import format {fmt!r}; valid: {', '.join(FORMATS)}")


def _item(where: str, title: str, **values: Any) -> NewItem:
    fields = values.pop("fields", {})
    item = NewItem(
        ItemMeta(title.strip() or "(untitled)", values.get("login") or "", values.get("url") or ""),
        ItemSecrets(
            Secret(values.get("password") or ""),
            Secret(values.get("totp") or ""),
            Secret(values.get("notes") or ""),
            {str(k): Secret(str(v)) for k, v in fields.items()},
        ),
    )
    try:
        check_item(item)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}") from None
    return item


def _bitwarden_json(text: str) -> tuple[list[NewItem], int]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        raise InvalidInput("not a JSON document (Bitwarden JSON export expected)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise InvalidInput("not a Bitwarden JSON export: no 'items' list")
    if doc.get("encrypted"):
        raise InvalidInput("encrypted Bitwarden exports cannot be imported; export unencrypted")
    items, skipped = [], 0
    for n, entry in enumerate(doc["items"], start=1):
        if not isinstance(entry, dict) or entry.get("type") not in (_BW_LOGIN, _BW_NOTE):
            skipped += 1
            continue
        login = entry.get("login") or {}
        uris = login.get("uris") or []
        fields = {
            f.get("name") or f"field{i}": f.get("value") or ""
            for i, f in enumerate(entry.get("fields") or [], start=1)
        }
        items.append(
            _item(
                f"item {n}",
                str(entry.get("name") or ""),
                login=login.get("username"),
                password=login.get("password"),
                totp=login.get("totp"),
                url=uris[0].get("uri") if uris else "",
                notes=entry.get("notes"),
                fields=fields,
            )
        )
    return items, skipped


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = [(reader.line_num, {str(k): str(v or "") for k, v in row.items()}) for row in reader]
    except csv.Error:
        raise InvalidInput(f"line {reader.line_num}: malformed CSV") from None
    return list(reader.fieldnames or []), rows


def _bitwarden_csv(text: str) -> tuple[list[NewItem], int]:
    header, rows = _rows(text)
    if not {"name", "login_password", "type"} <= set(header):
        raise InvalidInput("not a Bitwarden CSV export: needs name, type, login_password columns")
    items, skipped = [], 0
    for line, row in rows:
        if row.get("type") not in ("login", "note"):
            skipped += 1
            continue
        fields = {}
        for part in (row.get("fields") or "").splitlines():
            name, sep, value = part.partition(": ")
            if sep:
                fields[name] = value
        items.append(
            _item(
                f"line {line}",
                row.get("name") or "",
                login=row.get("login_username"),
                password=row.get("login_password"),
                totp=row.get("login_totp"),
                url=(row.get("login_uri") or "").split(",")[0],
                notes=row.get("notes"),
                fields=fields,
            )
        )
    return items, skipped


def _keepass_csv(text: str) -> tuple[list[NewItem], int]:
    header, rows = _rows(text)
    columns = {
        key: next((name for name in names if name in header), None)
        for key, names in _KEEPASS.items()
    }
    if columns["title"] is None or columns["password"] is None:
        raise InvalidInput("not a KeePass CSV export: needs Account/Title and Password columns")
    items = []
    for line, row in rows:
        values = {k: row.get(c) or "" for k, c in columns.items() if c is not None}
        title = values.pop("title")
        items.append(_item(f"line {line}", title, **values))
    return items, 0
