"""Which API endpoint VR discovery uses, from a loaded environment descriptor."""

from __future__ import annotations

from pathlib import Path

from vrtest.checks.session import client_for, no_real_vrs_reason
from vrtest.environment import load_environment

ENVIRONMENTS = Path(__file__).resolve().parents[1] / "environments"


def test_without_keys_discovery_uses_the_integration_port() -> None:
    env = load_environment("simulator", envs_dir=ENVIRONMENTS)
    assert env.management is not None and not env.management.api_key
    client = client_for(env)
    assert client.api_url == "http://localhost:8096/client/api"
    assert "no real virtual routers" in no_real_vrs_reason(env)


def test_with_keys_discovery_signs_requests_on_the_api_url(secrets) -> None:
    env = load_environment("local", envs_dir=ENVIRONMENTS)
    client = client_for(env)
    assert client.api_url == "http://127.0.0.1:18096/client/api"
    assert client.api_key and client.secret_key
    assert no_real_vrs_reason(env) == ""
