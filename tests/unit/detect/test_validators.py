from __future__ import annotations

import pytest

from privault.core.errors import UnknownPlugin
from privault.detect.validators import (
    VALIDATORS,
    bitcoin_valid,
    ethereum_valid,
    iban_valid,
    luhn_valid,
    nhs_valid,
    nino_valid,
    ssn_valid,
)


@pytest.mark.parametrize(
    ("fn", "value", "ok"),
    [
        (luhn_valid, "4111 1111 1111 1111", True),  # Visa test number
        (luhn_valid, "4111 1111 1111 1112", False),  # last digit changed
        (iban_valid, "GB82 WEST 1234 5698 7654 32", True),  # textbook UK IBAN
        (iban_valid, "GB82 WEST 1234 5698 7654 33", False),  # checksum broken
        (iban_valid, "DE89370400440532013000", True),  # German, unspaced
        (iban_valid, "DE8937040044053201300", False),  # one character short for DE
        (iban_valid, "XX89370400440532013000", False),  # unknown country
        (ssn_valid, "536-90-4399", True),  # ordinary SSN
        (ssn_valid, "666-12-3456", False),  # area 666 never issued
        (ssn_valid, "912-12-3456", False),  # area 9xx never issued
        (ssn_valid, "536-00-4399", False),  # group 00
        (ssn_valid, "536-90-0000", False),  # serial 0000
        (nhs_valid, "943 476 5919", True),  # NHS sample number
        (nhs_valid, "943 476 5918", False),  # check digit wrong
        (nino_valid, "AB 12 34 56 C", True),  # well-formed NINO
        (nino_valid, "QQ 12 34 56 C", False),  # Q is not a valid first letter
        (bitcoin_valid, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", True),  # P2PKH
        (bitcoin_valid, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", False),  # checksum broken
        (bitcoin_valid, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", True),  # bech32
        (bitcoin_valid, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx", False),  # bad bech32
        (ethereum_valid, "0x52908400098527886E0F7030069857D2E4169EE7", True),  # EIP-55 sample
        (ethereum_valid, "0x1234", False),  # too short
    ],
)
def test_validators(fn, value, ok):
    assert fn(value) is ok


def test_validator_registry_names_and_unknown():
    assert {"luhn", "iban", "us_ssn", "uk_nhs"} <= set(VALIDATORS.names())
    with pytest.raises(UnknownPlugin, match="luhn"):
        VALIDATORS.get("nope")
