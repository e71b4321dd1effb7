"""Host-key policies: ``strict`` (known hosts only), ``accept-new`` (pin on first use), ``ignore``.

The policy applies to hop hosts. Routers are reached only through a verified hop and are
recreated often with reused link-local addresses, so their keys are accepted without being
pinned, except under ``strict`` where they must be in ``known_hosts`` as ``[IP]:3922``.
"""

from __future__ import annotations

import os

import paramiko


def apply_hop_policy(client: paramiko.SSHClient, policy: str, known_hosts: str) -> None:
    """Configure ``client`` for connecting to a hop host."""
    if policy == "ignore":
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        return
    if known_hosts and os.path.exists(known_hosts):
        client.load_host_keys(known_hosts)
    if policy == "strict":
        client.load_system_host_keys()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
    else:
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())


def remember_hop_key(client: paramiko.SSHClient, policy: str, known_hosts: str) -> None:
    """Under ``accept-new``, write newly seen hop keys to ``known_hosts``."""
    if policy != "accept-new" or not known_hosts:
        return
    os.makedirs(os.path.dirname(known_hosts) or ".", mode=0o700, exist_ok=True)
    client.save_host_keys(known_hosts)


def apply_router_policy(client: paramiko.SSHClient, policy: str, known_hosts: str) -> None:
    """Configure ``client`` for connecting to a router through its hop."""
    if policy == "strict":
        if known_hosts and os.path.exists(known_hosts):
            client.load_host_keys(known_hosts)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
    else:
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
