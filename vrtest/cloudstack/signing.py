"""CloudStack API request signing, shared by the API client and the local lab's API server.

CloudStack signs a request by sorting the query parameters by name, URL-encoding
each value, lower-casing the whole ``key=value&...`` string, taking HMAC-SHA1
with the secret key and base64-encoding the digest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping


def canonical_query(params: Mapping[str, str]) -> str:
    """The string CloudStack signs: sorted ``key=value`` pairs, values URL-encoded, lower-cased."""
    pairs = sorted((key.lower(), key, value) for key, value in params.items() if key != "signature")
    encoded = "&".join(f"{key}={_java_url_encode(str(value))}" for _, key, value in pairs)
    return encoded.lower()


def _java_url_encode(value: str) -> str:
    """Encode as Java's URLEncoder does, with spaces as %20 (what CloudStack's server signs)."""
    return urllib.parse.quote(value, safe="*").replace("~", "%7E")


def sign(params: Mapping[str, str], secret_key: str) -> str:
    """Base64 HMAC-SHA1 signature of ``params`` with ``secret_key``."""
    digest = hmac.new(
        secret_key.encode(), canonical_query(params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def signed_query(params: Mapping[str, str], secret_key: str) -> str:
    """A full query string with ``signature`` appended, ready for a GET."""
    query = urllib.parse.urlencode(sorted(params.items()), quote_via=urllib.parse.quote)
    signature = urllib.parse.quote(sign(params, secret_key), safe="")
    return f"{query}&signature={signature}"


def verify(params: Mapping[str, str], secret_key: str) -> bool:
    """True when ``params['signature']`` matches the parameters (constant time)."""
    given = params.get("signature", "")
    return hmac.compare_digest(given, sign(params, secret_key))
