"""Address forms of EU/Indian locales, key-value fields, credential phrasings, date context.

Each row: text, type, the expected value (``None`` = nothing of that type). Credentials
are assembled at run time so secret scanners never see a literal.
"""

from __future__ import annotations

import pytest

from privault.detect import Analyzer
from privault.detect._trie import trie_pattern

PSK = "Sunshine" + "Pepper" + "8998"
WIFI = "WJ092" + "I7G2qoo" + "IBarJw"
PASS_AT = "kayf" + "evwK*duof" + "@NENrDX"


def check(analyzer: Analyzer, text: str, kind: str, expected: str | None) -> None:
    found = [text[f.start : f.end] for f in analyzer.analyze(text) if f.type == kind]
    if expected is None:
        assert found == [], found
    else:
        assert expected in found, found


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        # Polish "ul." with a Latin Extended-A capital, city after the number
        ("Deliver to ul. Żwirowa 63, Rybnik today", "LOCATION", "ul. Żwirowa 63, Rybnik"),
        # Italian type-first street, floor unit and city
        ("Consegna: Via Verdi, 12 Piano 3, Bologna.", "LOCATION", "Via Verdi, 12 Piano 3, Bologna"),
        # Italian "CAP, City (province)" line
        ("Indirizzo:\n00184, Roma (RM)\n", "LOCATION", "00184, Roma (RM)"),
        # French number-first, lower-case street type
        ("send it to 7, rue de la Paix, Lyon please", "LOCATION", "7, rue de la Paix, Lyon"),
        # Spanish "Rambla"
        ("Entrega en Rambla Nova 14, Tarragona.", "LOCATION", "Rambla Nova 14, Tarragona"),
        # Dutch compound street type
        ("new address:\nJansboulevard 82\n", "LOCATION", "Jansboulevard 82"),
        # Indian house number, locality suffix and PIN
        (
            "Ship to 12/4, Gandhi Nagar, Pune 411001\n",
            "LOCATION",
            "12/4, Gandhi Nagar, Pune 411001",
        ),
        # Indian city + PIN on its own line
        ("address:\nMysuru 570001\n", "LOCATION", "Mysuru 570001"),
        # PO box
        ("mail it to P.O. Box 4411 instead", "LOCATION", "P.O. Box 4411"),
        # key-value field in a log line
        ('signup id=3 city="Leeds" plan=pro', "LOCATION", "Leeds"),
        # "born ... in City"
        ("Jane was born 4 May 1990 in Porto.", "LOCATION", "Porto"),
        # near-miss: a document number is not a PIN code
        ("Invoice 482913 is attached", "LOCATION", None),
        # near-miss: an address field holding prose
        ("Address: please update it soon", "LOCATION", None),
    ],
)
def test_locations(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        # VPN pre-shared key phrasing
        (f"VPN profile: pre-shared key {PSK}, gateway vpn.example.nl", "SECRET", PSK),
        # chat: credential asked for, handed over in the reply
        (f"Ann: can you send me the wifi password\nBob: it's {WIFI}\nAnn: thx", "SECRET", WIFI),
        # a short door code handed over in a reply
        ("Ann: what's the door code?\nBob: it's 4471, see you", "SECRET", "4471"),
        # a password may contain "@"
        (f"(user admin / pass {PASS_AT})", "SECRET", PASS_AT),
        # near-miss: an e-mail address after "password" is not the password
        ("password reset link sent to bob@example.com", "SECRET", None),
        # near-miss: an ordinary reply after a credential word
        ("Ann: seen the password policy?\nBob: it's fine, nothing changed", "SECRET", None),
    ],
)
def test_secrets(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        # employment start: "joins the team on"
        ("please welcome Ana Ruiz who joins the team on 02.03.2017.", "DATE_TIME", "02.03.2017"),
        # HR list item "start"
        ("- temporary access\n- start 20 December 2023", "DATE_TIME", "20 December 2023"),
        # consent signed by someone (a name between "by" and the date)
        ("Consent form signed by Ana Ruiz on 2016-09-20.", "DATE_TIME", "2016-09-20"),
        # near-miss: a deadline right after "by"
        ("Next step: follow up by 2021-06-01.", "DATE_TIME", None),
    ],
)
def test_dates(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        # JSON key before a name
        ('payload {"customer":"Nora Blake","plan":"pro"}', "PERSON", "Nora Blake"),
        # title followed by a lower-case particle
        ("Dental recall: Mrs. van Boven, born 1972", "PERSON", "van Boven"),
        # invoice "BILL TO" label
        ("BILL TO: Maria Lopez, 5 Elm St", "PERSON", "Maria Lopez"),
    ],
)
def test_persons(rules, text, kind, expected):
    check(rules, text, kind, expected)


@pytest.mark.parametrize(
    ("words", "matches", "misses"),
    [
        (["ab", "abc", "b"], ["ab", "abc", "b"], ["a", "c"]),  # prefixes and a shared tail
        (["st.", "street"], ["st.", "street"], ["st", "s.t"]),  # escaped punctuation
        ([], [], ["", "a"]),  # no words: never matches
    ],
)
def test_trie_pattern(words, matches, misses):
    import re

    rx = re.compile(f"(?:{trie_pattern(words)})$")
    assert all(rx.match(w) for w in matches)
    assert not any(rx.match(w) for w in misses)
