"""CloudStack request signing: the algorithm the management server verifies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

from vrtest.cloudstack.signing import canonical_query, sign, signed_query, verify


def test_canonical_query_sorts_encodes_and_lowercases() -> None:
    params = {"response": "json", "command": "listRouters", "apiKey": "AbC", "name": "r 4~x"}
    assert canonical_query(params) == (
        "apikey=abc&command=listrouters&name=r%204%7ex&response=json"
    )


def test_signature_is_base64_hmac_sha1_of_canonical_query() -> None:
    params = {"command": "listZones", "apiKey": "KEY", "response": "json"}
    expected = base64.b64encode(
        hmac.new(b"SECRET", b"apikey=key&command=listzones&response=json", hashlib.sha1).digest()
    ).decode()
    assert sign(params, "SECRET") == expected


def test_signed_query_verifies_and_tampering_fails() -> None:
    params = {"command": "listRouters", "apiKey": "KEY", "listall": "true"}
    query = signed_query(params, "SECRET")
    parsed = dict(urllib.parse.parse_qsl(query))
    assert verify(parsed, "SECRET")
    assert not verify(parsed, "OTHER")
    parsed["listall"] = "false"
    assert not verify(parsed, "SECRET")
