"""A small CloudStack API client: signed GETs (or the unauthenticated integration port), JSON."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from vrtest.cloudstack.signing import signed_query
from vrtest.errors import ConfigError, UnreachableError

UNSUPPORTED_ERRORCODE = 432  # "The given command does not exist or it is not available for user"
_PAGE_SIZE = 500


class ApiError(Exception):
    """CloudStack answered with an ``errorresponse``."""

    def __init__(self, command: str, code: int, text: str) -> None:
        super().__init__(f"{command}: CloudStack error {code}: {text}")
        self.command = command
        self.code = code
        self.text = text


class CloudStackClient:
    """Calls CloudStack API commands and returns the decoded ``<command>response`` object."""

    def __init__(self, api_url: str, api_key: str = "", secret_key: str = "", *,
                 timeout: float = 30.0) -> None:
        self.api_url = api_url
        self.api_key = api_key
        self.secret_key = secret_key
        self.timeout = timeout

    def request(self, command: str, **params: str) -> dict[str, Any]:
        """Run one API command; raises ApiError, UnreachableError or ConfigError (credentials)."""
        query = {"command": command, "response": "json", **params}
        if self.api_key and self.secret_key:
            query["apiKey"] = self.api_key
            text = signed_query(query, self.secret_key)
        else:
            text = urllib.parse.urlencode(sorted(query.items()), quote_via=urllib.parse.quote)
        body = self._get(command, f"{self.api_url}?{text}")
        return _response_object(command, body)

    def list(self, command: str, key: str, **params: str) -> list[dict[str, Any]]:
        """All items of a ``list*`` command (``key`` e.g. ``router``), following pages."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self.request(command, page=str(page), pagesize=str(_PAGE_SIZE), **params)
            batch = response.get(key, [])
            items.extend(batch)
            total = int(response.get("count", len(items)))
            if not batch or len(items) >= total or len(batch) < _PAGE_SIZE:
                return items
            page += 1

    def _get(self, command: str, url: str) -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as reply:
                return bytes(reply.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            if exc.code == 401:
                raise ConfigError(
                    f"CloudStack API at {self.api_url} rejected the API key or signature",
                    hint="check management.api_key/secret_key in the environment descriptor",
                ) from None
            if exc.code == 404 and b"errorresponse" not in body:  # not CloudStack answering
                raise ConfigError(
                    f"{self.api_url} answered 404 Not Found ({command}): not a CloudStack API",
                    hint="check management.api_url (http://HOST:8080/client/api)",
                ) from None
            return body or json.dumps({"errorresponse": {"errorcode": exc.code,
                                                          "errortext": exc.reason}}).encode()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UnreachableError(
                f"CloudStack API at {self.api_url} unreachable ({command}): {reason}",
                hint="is the management server (or `vrtest lab up`) running?",
            ) from None


def _response_object(command: str, body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise ApiError(command, 0, f"not JSON: {body[:120]!r}") from None
    if not isinstance(data, dict):
        raise ApiError(command, 0, "unexpected JSON shape")
    if "errorresponse" in data:
        error = data["errorresponse"]
        raise ApiError(command, int(error.get("errorcode", 0)), str(error.get("errortext", "")))
    response = data.get(f"{command.lower()}response", {})
    if not isinstance(response, dict):
        raise ApiError(command, 0, "unexpected JSON shape")
    return response
