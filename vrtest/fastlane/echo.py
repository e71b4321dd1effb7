"""One ICMP echo, as ``ping -c 1 -W WAIT`` would send it (the host may have no ping).

Run inside a probe endpoint: ``ip netns exec NS python -m vrtest.fastlane.echo TARGET WAIT``.
Prints one line and exits 0 on an echo reply from TARGET, 1 on none within WAIT seconds or
an ICMP error (destination unreachable, time exceeded) about our echo, 2 when it cannot send.
Needs root (a raw ICMP socket).
"""

from __future__ import annotations

import os
import select
import socket
import struct
import sys
import time

ECHO_REQUEST, ECHO_REPLY = 8, 0
ERRORS = {3: "destination unreachable", 11: "time exceeded"}
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


def echo(target: str, wait: float) -> tuple[int, str]:
    """Send one echo request to ``target``; (exit status, one-line outcome)."""
    ident = os.getpid() & 0xFFFF
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as sock:
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
                took = (time.monotonic() - started) * 1000
                return 0, f"reply from {target} in {took:.1f} ms"
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
