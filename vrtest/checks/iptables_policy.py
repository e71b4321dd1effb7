"""iptables-policy: INPUT and FORWARD drop by default; the chains CloudStack creates exist.

Every router type in vr-outputs has ``:INPUT DROP``, ``:FORWARD DROP``, the ``FW_EGRESS_RULES``
chain and an INPUT rule accepting SSH on 3922 from the control nic.
"""

from __future__ import annotations

from vrtest.checks import commands
from vrtest.checks.base import Check, CheckContext, Verdict, errored, failed, passed
from vrtest.checks.parsers.iptables import parse_iptables_save
from vrtest.cloudstack.discovery import Router

NAME = "iptables-policy"
EXPECTED_POLICIES = {"INPUT": "DROP", "FORWARD": "DROP"}
EXPECTED_CHAINS = ("FW_EGRESS_RULES",)


def _commands(router: Router) -> tuple[str, ...]:
    return (commands.IPTABLES,)


def evaluate(ctx: CheckContext) -> Verdict:
    """The verdict for one router."""
    result = ctx.result(commands.IPTABLES)
    tables = parse_iptables_save(result.stdout)
    filter_table = tables.get("filter")
    if not result.ok or filter_table is None:
        return errored("iptables-save printed no filter table", ctx.evidence(commands.IPTABLES))
    problems = [
        f"{chain} policy is {filter_table.policies.get(chain, 'missing')} (expected {policy})"
        for chain, policy in EXPECTED_POLICIES.items()
        if filter_table.policies.get(chain) != policy
    ]
    problems += [f"chain {chain} missing" for chain in EXPECTED_CHAINS
                 if chain not in filter_table.policies]
    if not any("--dport 3922" in rule and "ACCEPT" in rule
               for rule in filter_table.rules_of("INPUT")):
        problems.append("no INPUT rule accepting tcp 3922 (the control SSH port)")
    header = "\n".join(f":{chain} {policy}" for chain, policy in filter_table.policies.items())
    evidence = ctx.evidence(commands.IPTABLES, f"*filter\n{header}",
                            note="filter table chain policies")
    if problems:
        return failed(f"{ctx.router.name}: " + "; ".join(problems), evidence)
    return passed("INPUT and FORWARD DROP; expected chains and rules present", evidence)


CHECK = Check(NAME, "INPUT/FORWARD policy DROP, expected chains present", _commands, evaluate)
