"""Parse strongSwan's ``ipsec status`` / ``ipsec statusall`` into per-connection state."""

from __future__ import annotations

import re
from dataclasses import dataclass

# IKE SA states (charon's ike_sa_state_t) and CHILD SA states as ``ipsec status`` prints them.
_IKE_STATES = "CREATED|CONNECTING|ESTABLISHED|PASSIVE|REKEYING|REKEYED|DELETING|DESTROYING"
_CHILD_STATES = "CREATED|ROUTED|INSTALLING|INSTALLED|UPDATING|REKEYING|REKEYED|RETRYING|DELETING"
_IKE_SA = re.compile(rf"^\s*(?P<name>[\w.:-]+)\[\d+\]:\s+(?P<state>{_IKE_STATES})\b",
                     re.MULTILINE)
_CHILD_SA = re.compile(rf"^\s*(?P<name>[\w.:-]+)\{{\d+\}}:\s+(?P<state>{_CHILD_STATES})\b",
                       re.MULTILINE)
_CONNECTION = re.compile(r"^\s*(?P<name>[\w.:-]+):\s+\S+\.\.\.\S+", re.MULTILINE)


@dataclass(frozen=True)
class IpsecConnection:
    """One connection: its IKE SA state and whether a child SA (tunnel) is installed."""

    name: str
    ike_state: str = ""
    child_installed: bool = False

    @property
    def up(self) -> bool:
        """ESTABLISHED with an INSTALLED child SA."""
        return self.ike_state == "ESTABLISHED" and self.child_installed


def parse_ipsec_status(output: str) -> dict[str, IpsecConnection]:
    """Connections by name, from either ``ipsec status`` or ``ipsec statusall``."""
    names: dict[str, None] = {m.group("name"): None for m in _CONNECTION.finditer(output)}
    ike: dict[str, str] = {}
    for match in _IKE_SA.finditer(output):
        if ike.get(match.group("name")) != "ESTABLISHED":
            ike[match.group("name")] = match.group("state")
    installed = {m.group("name") for m in _CHILD_SA.finditer(output)
                 if m.group("state") == "INSTALLED"}
    for name in list(ike) + sorted(installed):
        names.setdefault(name, None)
    return {
        name: IpsecConnection(name, ike.get(name, ""), name in installed) for name in names
    }
