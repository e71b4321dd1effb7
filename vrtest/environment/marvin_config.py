"""Render Marvin's JSON setup config from an environment (Jinja2, StrictUndefined).

The output carries the environment's secrets in clear text: Marvin needs them. It is
the one place they are written, so callers write it raw (never through the masker)
and files are created with mode 0600.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from vrtest.environment.model import Environment, Management
from vrtest.errors import ConfigError

TEMPLATE = "marvin.cfg.j2"
INTEGRATION_PORT = 8096


def _environment() -> jinja2.Environment:
    loader = jinja2.PackageLoader("vrtest", "templates")
    jinja = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    jinja.filters["json"] = json.dumps
    jinja.filters["flag"] = lambda value: json.dumps("true" if value else "false")
    return jinja


def management_port(management: Management) -> int:
    """Marvin's ``mgtSvr.port``: the integration port when set, else the API URL's port."""
    if management.integration_port:
        return management.integration_port
    parts = urlsplit(management.api_url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def render_marvin_config(env: Environment) -> str:
    """Marvin's config for ``env`` as JSON text (ends with a newline)."""
    if env.management is None:
        raise ConfigError(
            "has no management server, so there is no Marvin config to render",
            path=str(env.path),
        )
    context: dict[str, Any] = {
        "env": env,
        "mgmt": env.management,
        "mgmt_port": management_port(env.management),
        "use_https": urlsplit(env.management.api_url).scheme == "https",
    }
    text = _environment().get_template(TEMPLATE).render(**context)
    json.loads(text)  # a template bug must never hand Marvin broken JSON
    return text


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (it holds secrets)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
