"""What the pytest plugin needs: routers discovered once, outputs collected once, verdicts."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from vrtest.access.pool import AccessPool
from vrtest.access.shells import RouterShell
from vrtest.checks.base import CheckContext, RouterOutputs, Verdict
from vrtest.checks.election import settle
from vrtest.checks.registry import CHECKS, select_checks
from vrtest.checks.runner import collect, collect_all
from vrtest.checks.session import client_for, no_real_vrs_reason
from vrtest.cloudstack.discovery import (
    GuestVm,
    Router,
    RouterFilter,
    discover_routers,
    list_guest_vms,
)
from vrtest.cloudstack.vpns import ApiVpns, list_vpns
from vrtest.environment import Environment


class CheckFailed(AssertionError):
    """A VR check failed; the message holds the verdict and its evidence."""


class RouterUnreachable(Exception):
    """The router could not be reached: the test errors instead of failing."""


@dataclass
class VrSession:
    """One environment's routers and their outputs, shared by every test of a pytest session."""

    env: Environment
    routers: list[Router] = field(default_factory=list)
    skip_reason: str = ""
    _outputs: dict[str, RouterOutputs] | None = None
    _vms: dict[str, list[GuestVm]] | None = None
    _vm_note: str = ""
    _vpns: ApiVpns | None = None
    _vpn_note: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, ref: str, envs_dir: str | None, names: list[str]) -> VrSession:
        """Load the environment and discover its routers (once, at collection)."""
        from vrtest.environment import load_environment

        env = load_environment(ref, envs_dir=Path(envs_dir) if envs_dir else None)
        reason = no_real_vrs_reason(env)
        if reason:
            return cls(env, skip_reason=reason)
        routers = discover_routers(client_for(env), RouterFilter(names=tuple(names)))
        return cls(env, routers)

    def outputs(self) -> dict[str, RouterOutputs]:
        """Every router's command outputs for every check, collected concurrently on first use."""
        with self._lock:
            if self._outputs is None:
                client = client_for(self.env)
                self._vms, self._vm_note = list_guest_vms(
                    client, [n for r in self.routers for n in r.network_ids])
                self._vpns, self._vpn_note = list_vpns(client)
                pool = AccessPool.for_environment(self.env)
                try:
                    def open_shell(r: Router) -> RouterShell:
                        return pool.shell(r.name, r.linklocal_ip, r.host_address)

                    collected = collect_all(self.routers, open_shell, CHECKS,
                                            max_workers=pool.settings.max_workers)
                    self._outputs = settle(collected,
                                           lambda item: collect(item.router, open_shell, CHECKS))
                finally:
                    pool.close()
            return self._outputs

    def verdict(self, check_name: str, router: Router) -> Verdict:
        """Evaluate one check on one router from the collected outputs."""
        outputs = self.outputs()
        mine = outputs[router.name]
        [check] = select_checks([check_name])
        ctx = CheckContext(router, mine.results, outputs, self._vms, self._vm_note, mine.note,
                           self._vpns, self._vpn_note)
        return check.evaluate(ctx)


def describe(verdict: Verdict) -> str:
    """The verdict message followed by each piece of evidence (command and output)."""
    lines = [verdict.message]
    for evidence in verdict.evidence:
        note = f"   ({evidence.note})" if evidence.note else ""
        lines.append(f"$ {evidence.command}{note}")
        lines += [f"  {line}" for line in evidence.output.splitlines()]
    return "\n".join(lines)
