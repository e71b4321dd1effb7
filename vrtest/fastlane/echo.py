"""One ICMP echo, as ``ping -c 1 -W WAIT`` would send it (the host may have no ping).

The fast lane calls :func:`echo_in_netns`: the raw socket is opened inside the endpoint's
network namespace (``setns`` on the calling thread only, then back), so a probe costs no
process. By hand, the same probe: ``ip netns exec NS python -m vrtest.fastlane.echo TARGET
WAIT`` prints one line and exits 0 on an echo reply from TARGET, 1 on none within WAIT
seconds or an ICMP error (destination unreachable, time exceeded) about the echo, 2 on bad
arguments. Needs root (a raw ICMP socket).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import select
import socket
import struct
import sys
import time

ECHO_REQUEST, ECHO_REPLY = 8, 0
ERRORS = {3: "destination unreachable", 11: "time exceeded"}
CLONE_NEWNET = 0x40000000
_IDENTS = itertools.count(os.getpid() & 0x7FFF)  # distinct per echo of this process
UNREACHABLE_CODES = {0: "net unreachable", 1: "host unreachable", 3: "port unreachable",
                     9: "net prohibited", 10: "host prohibited", 13: "administratively prohibited"}


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total = int(sum(struct.unpack(f"!{len(data) // 2}H", data)))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int) -> bytes:
    """An ICMP echo request with a small payload."""
    payload = b"vrtest-data-plane"
    header = struct.pack("!BBHHH", ECHO_REQUEST, 0, 0, ident, seq)
    return struct.pack("!BBHHH", ECHO_REQUEST, 0, checksum(header + payload), ident,
                       seq) + payload


def classify(packet: bytes, target: str, ident: int) -> str | None:
    """What an IPv4 packet holding ICMP says about our echo, or None if it is not about it."""
    ihl = (packet[0] & 0x0F) * 4
    source = socket.inet_ntoa(packet[12:16])
    kind, code = packet[ihl], packet[ihl + 1]
    if kind == ECHO_REPLY and source == target and _ident(packet, ihl) == ident:
        return "reply"
    if kind in ERRORS and len(packet) >= ihl + 8 + 28:
        inner = packet[ihl + 8:]
        inner_ihl = (inner[0] & 0x0F) * 4
        if inner[9] == 1 and _ident(inner, inner_ihl) == ident:
            reason = UNREACHABLE_CODES.get(code, f"code {code}") if kind == 3 else f"code {code}"
            return f"{ERRORS[kind]} ({reason}) from {source}"
    return None


def _ident(packet: bytes, icmp_at: int) -> int:
    return int(struct.unpack("!H", packet[icmp_at + 4:icmp_at + 6])[0])


def echo_in_netns(netns: str, target: str, wait: float) -> tuple[int, str]:
    """:func:`echo` from inside the named network namespace (``/run/netns/NAME``)."""
    with _socket_in(netns) as sock:
        return echo(target, wait, sock)


def _socket_in(netns: str) -> socket.socket:
    """A raw ICMP socket of ``netns``; the calling thread returns to its own namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net") as home, open(f"/run/netns/{netns}") as there:
        if libc.setns(there.fileno(), CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), f"cannot enter network namespace {netns}")
        try:
            return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        finally:
            if libc.setns(home.fileno(), CLONE_NEWNET):  # never leave a thread out there
                raise OSError(ctypes.get_errno(), "cannot return to this network namespace")


def echo(target: str, wait: float, sock: socket.socket | None = None) -> tuple[int, str]:
    """Send one echo request to ``target``; (exit status, one-line outcome)."""
    if sock is None:
        with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as own:
            return echo(target, wait, own)
    ident = next(_IDENTS) & 0xFFFF
    started = time.monotonic()
    try:
        sock.sendto(echo_request(ident, 1), (target, 0))
    except OSError as exc:
        return 1, f"cannot send to {target}: {exc.strerror}"
    deadline = started + wait
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([sock], [], [], left)[0]:
            break
        verdict = classify(sock.recv(2048), target, ident)
        if verdict == "reply":
            return 0, f"reply from {target} in {(time.monotonic() - started) * 1000:.1f} ms"
        if verdict:
            return 1, verdict
    return 1, f"no reply from {target} within {wait:g} s"


def main(argv: list[str]) -> int:
    """``TARGET WAIT``: print the outcome, return the exit status."""
    try:
        target, wait = argv[0], float(argv[1])
        status, line = echo(target, wait)
    except (IndexError, ValueError, OSError) as exc:
        print(f"usage: python -m vrtest.fastlane.echo TARGET WAIT_SECONDS ({exc})")
        return 2
    print(line)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
