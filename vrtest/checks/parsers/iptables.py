"""Parse ``iptables-save`` into tables of chain policies and rules."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IptablesTable:
    """One ``*table`` block: chain -> policy (``-`` for user chains) and the ``-A`` rules."""

    name: str
    policies: dict[str, str] = field(default_factory=dict)
    rules: tuple[str, ...] = ()

    def rules_of(self, chain: str) -> list[str]:
        """The rules appended to ``chain``, without the ``-A CHAIN`` prefix."""
        prefix = f"-A {chain} "
        return [rule[len(prefix):] for rule in self.rules if rule.startswith(prefix)]


def parse_iptables_save(output: str) -> dict[str, IptablesTable]:
    """Parse ``iptables-save`` output; comments and counters are ignored."""
    tables: dict[str, IptablesTable] = {}
    name = ""
    policies: dict[str, str] = {}
    rules: list[str] = []
    for raw in output.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            name, policies, rules = line[1:], {}, []
        elif line.startswith(":") and name:
            chain, policy = [*line[1:].split(), "-"][:2]
            policies[chain] = policy
        elif line.startswith("-A ") and name:
            rules.append(line)
        elif line == "COMMIT" and name:
            tables[name] = IptablesTable(name, policies, tuple(rules))
            name = ""
    return tables
