"""Import formats: Bitwarden JSON and CSV, KeePass 2 CSV (samples written here)."""

from __future__ import annotations

import json

import pytest

from privault.core.errors import InvalidInput
from privault.credentials.formats import parse

BITWARDEN_JSON = {
    "encrypted": False,
    "folders": [{"id": "f1", "name": "Acme"}],
    "items": [
        {
            "id": "1",
            "type": 1,
            "name": "Acme firewall",
            "notes": "rack 3",
            "fields": [{"name": "PIN", "value": "4321", "type": 1}],
            "login": {
                "username": "admin",
                "password": "fw-pass-1",
                "totp": "JBSWY3DPEHPK3PXP",
                "uris": [{"match": None, "uri": "https://fw.acme.test"}],
            },
        },
        {"id": "2", "type": 2, "name": "Alarm code", "notes": "1234#", "secureNote": {"type": 0}},
        {"id": "3", "type": 3, "name": "Company card", "card": {"number": "4111"}},
    ],
}

BITWARDEN_CSV = (
    "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,"
    "login_password,login_totp\n"
    'Acme,,login,Acme VPN,,"token: abc\nregion: eu",0,https://vpn.acme.test,vpnadmin,vpn-pass,\n'
    "Acme,1,note,Wifi,guest wifi is open,,0,,,,\n"
    "Acme,,card,Card,,,0,,,,\n"
)

KEEPASS_CSV = (
    '"Account","Login Name","Password","Web Site","Comments"\n'
    '"Acme NAS","root","nas-pass","https://nas.acme.test","in the cupboard"\n'
    '"Acme printer","","","",""\n'
)

KEEPASSXC_CSV = (
    '"Group","Title","Username","Password","URL","Notes","TOTP"\n'
    '"Root/Acme","Acme DC","Administrator","dc-pass","ldaps://dc.acme.test","","JBSWY3DPEHPK3PXP"\n'
)


def test_bitwarden_json() -> None:
    parsed, skipped = parse(json.dumps(BITWARDEN_JSON), "bitwarden-json")
    assert skipped == 1  # the card
    fw, note = parsed
    assert (fw.meta.title, fw.meta.login, fw.meta.url) == (
        "Acme firewall",
        "admin",
        "https://fw.acme.test",
    )
    assert (
        fw.secrets.password.reveal() == "fw-pass-1"
        and fw.secrets.totp.reveal() == "JBSWY3DPEHPK3PXP"
    )
    assert fw.secrets.fields["PIN"].reveal() == "4321" and fw.secrets.notes.reveal() == "rack 3"
    assert note.meta.title == "Alarm code" and note.secrets.password.reveal() == ""


def test_bitwarden_csv() -> None:
    parsed, skipped = parse(BITWARDEN_CSV, "bitwarden-csv")
    assert skipped == 1
    vpn, wifi = parsed
    assert vpn.meta.login == "vpnadmin" and vpn.secrets.password.reveal() == "vpn-pass"
    assert {k: v.reveal() for k, v in vpn.secrets.fields.items()} == {
        "token": "abc",
        "region": "eu",
    }
    assert wifi.secrets.notes.reveal() == "guest wifi is open"


@pytest.mark.parametrize(
    ("text", "title", "login", "password"),
    [
        (KEEPASS_CSV, "Acme NAS", "root", "nas-pass"),  # KeePass 2.x built-in CSV export
        (KEEPASSXC_CSV, "Acme DC", "Administrator", "dc-pass"),  # KeePassXC CSV export
    ],
)
def test_keepass_csv(text: str, title: str, login: str, password: str) -> None:
    parsed, _ = parse(text, "keepass-csv")
    first = parsed[0]
    assert (first.meta.title, first.meta.login, first.secrets.password.reveal()) == (
        title,
        login,
        password,
    )


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ('{"encrypted": true, "items": []}', "bitwarden-json", "encrypted"),  # refused
        ("not json", "bitwarden-json", "not a JSON"),  # garbage
        ("a,b\n1,2\n", "bitwarden-csv", "not a Bitwarden CSV"),  # wrong columns
        ("a,b\n1,2\n", "keepass-csv", "not a KeePass CSV"),  # wrong columns
        ("", "1password", "unknown import format"),  # unknown format
    ],
)
def test_bad_exports(text: str, fmt: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse(text, fmt)


def test_errors_name_the_line_not_the_value() -> None:
    text = '"Account","Password"\n"ok","p"\n"","' + "s3cr3t" * 2000 + '"\n'
    with pytest.raises(InvalidInput) as exc:
        parse(text, "keepass-csv")
    assert "line 3" in str(exc.value) and "s3cr3t" not in str(exc.value)
