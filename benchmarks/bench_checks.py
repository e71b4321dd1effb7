"""Benchmark: every VR check on N routers with vrtest vs a Marvin-style baseline.

    sudo python benchmarks/bench_checks.py --routers 50 [--workers 8] [--baseline-routers 10]
    sudo python benchmarks/bench_checks.py --lab --routers 50     # on the embedded lab

Default topology: tests/sshlab.py (a hop sshd and one sshd per router in network namespaces, each
router with a VPC router's public side), the API a signature-checking HTTP server on loopback.
With ``--lab``: the embedded lab (``vrtest lab up --routers N-4``, real VR state, keepalived,
its own API), checked exactly as ``vrtest check --env`` does (discovery, VM list, all checks).

vrtest: one SSH connection to the hop, one forwarded connection per router, one session per
router for all its commands, ``--workers`` routers at a time. Baseline (Marvin's
``get_process_status``): for every command a new SSH connection to the hop, then ``ssh -i KEY -p
3922 ... LINKLOCAL CMD`` run on the hop, sequentially. The baseline is measured on
``--baseline-routers`` routers and scaled linearly to N (it is strictly sequential).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import paramiko

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import sshlab
from tests.fake_cloudstack import FakeApi, one_host_zone, serve
from vrtest.access import AccessPool, AccessSettings, HopLogin
from vrtest.access.shells import quote_argv, ssh_command_argv
from vrtest.checks.registry import CHECKS
from vrtest.checks.runner import check_routers, commands_for
from vrtest.cloudstack.client import CloudStackClient
from vrtest.cloudstack.discovery import Router, discover_routers


def build(count: int) -> sshlab.SshLab:
    """Bring up ``count`` routers, each with a VPC router's public side."""
    lab = sshlab.start(routers=count)
    for name in lab.routers:
        sshlab.make_vpc_router(lab, name)
    return lab


def vrtest_run(lab: sshlab.SshLab, api: FakeApi, workers: int) -> tuple[float, str]:
    """Discovery + every check on every router, as ``vrtest check`` does it."""
    settings = AccessSettings(key_on_hop=lab.vr_key_on_hop, host_key_policy="ignore",
                              max_workers=workers)
    login = HopLogin(lab.hop_ip, "root", key_file=lab.hop_login_key)
    started = time.perf_counter()
    routers = discover_routers(CloudStackClient(api.url, api.api_key, api.secret_key))
    pool = AccessPool(settings, lambda address: login)
    try:
        result = check_routers(routers, lambda r: pool.shell(r.name, r.linklocal_ip,
                                                             r.host_address),
                               CHECKS, max_workers=workers)
        hop_connects = pool.hop_connects
    finally:
        pool.close()
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{n} {k}" for k, n in result.counts().items() if n)
    failed = sorted({t.name.split("[")[0] for t in result.tests if t.outcome.is_failure})
    counts += f"; failing checks: {', '.join(failed) or 'none'}"
    return elapsed, f"{len(result.tests)} verdicts ({counts}); {hop_connects} hop connection(s)"


def baseline_run(lab: sshlab.SshLab, routers: list[Router]) -> tuple[float, int]:
    """Marvin's way: a new hop connection and an ssh subprocess for every command."""
    started = time.perf_counter()
    commands_run = 0
    for router in routers:
        for command in commands_for(router, CHECKS):
            client = paramiko.SSHClient()
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            client.connect(lab.hop_ip, username="root", key_filename=lab.hop_login_key,
                           allow_agent=False, look_for_keys=False, timeout=10)
            argv = ssh_command_argv(lab.vr_key_on_hop, 3922, router.linklocal_ip, command, 10)
            _, stdout, _ = client.exec_command(quote_argv(argv), timeout=60)
            stdout.read()
            stdout.channel.recv_exit_status()
            client.close()
            commands_run += 1
    return time.perf_counter() - started, commands_run


def lab_run(args: argparse.Namespace) -> None:
    """Both measurements on the embedded lab (a temporary descriptor with unique addresses)."""
    import io
    import tempfile

    from tests.lab_descriptor import write_lab_descriptor
    from vrtest.checks.session import client_for, run_checks
    from vrtest.cli import main as vrtest_main
    from vrtest.console import Console
    from vrtest.environment import load_environment

    directory = Path(tempfile.mkdtemp(prefix="bench-checks-"))
    write_lab_descriptor(directory, "benchlab")

    def lab(*argv: str) -> None:
        console = Console(io.StringIO(), io.StringIO(), environ={})
        code = vrtest_main(["lab", "--env", "benchlab", "--envs-dir", str(directory), *argv],
                           console=console)
        if code:
            raise SystemExit(f"vrtest lab {' '.join(argv)} failed: {console.err_stream}")

    clock = time.perf_counter()
    lab("up", "--routers", str(max(0, args.routers - 4)))
    print(f"lab: up in {time.perf_counter() - clock:.1f}s")
    try:
        env = load_environment("benchlab", envs_dir=directory)
        time.sleep(5)  # let the redundant pair elect
        started = time.perf_counter()
        result = run_checks(env, max_workers=args.workers)
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{n} {k}" for k, n in result.counts().items() if n)
        failed = sorted({t.name.split("[")[0] for t in result.tests if t.outcome.is_failure})
        routers = discover_routers(client_for(env))
        print(f"vrtest: {len(routers)} routers x {len(CHECKS)} checks in {elapsed:.2f}s "
              f"({counts}; failing checks: {', '.join(failed) or 'none'})")
        for message in sorted({t.message for t in result.tests if t.outcome.is_failure})[:5]:
            print(f"  {message[:200]}")
        login = env.host_login(routers[0].host_address)
        sample = routers[:args.baseline_routers]
        key = env.vr_access.key_on_hop or "/root/.ssh/id_rsa.cloud"
        base, commands_run = baseline_run_login(login, key, sample)
        total = sum(len(commands_for(r, CHECKS)) for r in routers)
        scaled = base / max(1, commands_run) * total
        print(f"baseline: {commands_run} commands on {len(sample)} routers in {base:.2f}s "
              f"({base / max(1, commands_run):.2f}s each) -> {scaled:.1f}s for the {total} "
              f"commands of {len(routers)} routers")
        print(f"ratio: {scaled / elapsed:.1f}x faster (target >= 5x); "
              f"budget: {elapsed:.2f}s of 15s")
    finally:
        lab("down")


def baseline_run_login(login: object, key: str, routers: list[Router]) -> tuple[float, int]:
    """The baseline with a descriptor's host login (password, as Marvin's config has it).

    Returns the time of the commands that completed and their number (timeouts are reported
    and left out, so a stuck router cannot inflate the ratio).
    """
    spent = 0.0
    commands_run = 0
    for router in routers:
        for command in commands_for(router, CHECKS):
            clock = time.perf_counter()
            client = paramiko.SSHClient()
            client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
            client.connect(getattr(login, "host", router.host_address),
                           username=getattr(login, "username", "root"),
                           password=getattr(login, "password", None),
                           allow_agent=False, look_for_keys=False, timeout=10)
            argv = ssh_command_argv(key, 3922, router.linklocal_ip, command, 10)
            try:
                _, stdout, _ = client.exec_command(quote_argv(argv), timeout=30)
                stdout.read()
                stdout.channel.recv_exit_status()
            except TimeoutError:
                print(f"  baseline: {router.name}: {command[:40]!r} timed out (left out)",
                      file=sys.stderr)
                client.close()
                continue
            client.close()
            spent += time.perf_counter() - clock
            commands_run += 1
    return spent, commands_run


def main() -> int:
    """Run both, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--baseline-routers", type=int, default=10)
    parser.add_argument("--lab", action="store_true", help="use the embedded lab (vrtest.lab)")
    args = parser.parse_args()
    reason = sshlab.available()
    if reason:
        print(f"bench_checks: {reason}", file=sys.stderr)
        return 2
    if args.lab:
        lab_run(args)
        return 0
    clock = time.perf_counter()
    lab = build(args.routers)
    print(f"topology: {args.routers} routers up in {time.perf_counter() - clock:.1f}s")
    try:
        api = one_host_zone("bench-key", "bench-secret", lab.routers, lab.hop_ip)
        with serve(api):
            elapsed, summary = vrtest_run(lab, api, args.workers)
            print(f"vrtest: {args.routers} routers x {len(CHECKS)} checks in {elapsed:.2f}s "
                  f"({summary})")
            routers = discover_routers(CloudStackClient(api.url, api.api_key, api.secret_key))
            sample = routers[:args.baseline_routers]
            base, commands_run = baseline_run(lab, sample)
            scaled = base * len(routers) / len(sample)
            print(f"baseline: {len(sample)} routers, {commands_run} commands in {base:.2f}s "
                  f"-> {scaled:.1f}s scaled to {len(routers)} routers")
            print(f"ratio: {scaled / elapsed:.1f}x faster (target >= 5x); "
                  f"budget: {elapsed:.2f}s of 15s")
    finally:
        lab.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
