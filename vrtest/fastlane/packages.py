"""The VR's Debian packages: downloaded with apt, extracted into a cached root, never installed."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from vrtest.errors import ConfigError, UnreachableError

# What the Debian 12 systemvm template has and the VR scripts call (see docs/fastlane.md).
VR_PACKAGES: tuple[str, ...] = (
    "iproute2", "iptables", "ipset", "iputils-arping", "iputils-ping", "nftables",
    "dnsmasq", "dnsmasq-base", "dnsmasq-utils", "keepalived", "conntrackd", "conntrack",
    "python3-netaddr", "ieee-data", "strongswan-starter", "strongswan-charon",
    "strongswan-libcharon", "libstrongswan", "libcharon-extra-plugins", "xl2tpd", "haproxy",
    "openssh-server", "procps", "psmisc",
)
APT_TIMEOUT = 300
CACHE_FORMAT = "3"  # bump when extraction changes, so old caches are not reused
_USR_MERGED = ("bin", "sbin", "lib", "lib32", "lib64")
_NOT_NEEDED = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale")


def default_cache_dir() -> Path:
    """Where extracted package roots live: ``$VRTEST_CACHE`` or ``~/.cache/vrtest``."""
    base = os.environ.get("VRTEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "vrtest")
    return Path(base) / "fastlane"


def package_root(packages: tuple[str, ...] = VR_PACKAGES, cache_dir: Path | None = None) -> Path:
    """Return a directory holding ``packages`` (and missing dependencies) extracted, usr-merged."""
    cache = cache_dir or default_cache_dir()
    key = hashlib.sha256("\n".join([*sorted(packages), CACHE_FORMAT]).encode()).hexdigest()[:12]
    root = cache / f"pkgroot-{key}"
    if (root / ".complete").exists():
        return root
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pkgroot-", dir=cache))
    try:
        debs = download(packages, work / "debs")
        extract(debs, work / "root")
        (work / "root" / ".complete").write_text("\n".join(sorted(p.name for p in debs)) + "\n")
        try:
            os.rename(work / "root", root)
        except OSError:  # another run finished first
            if not (root / ".complete").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return root


def download(packages: tuple[str, ...], dest: Path) -> list[Path]:
    """``apt-get download`` the packages plus the dependencies the host lacks."""
    dest.mkdir(parents=True, exist_ok=True)
    names = sorted(set(packages) | set(missing_dependencies(packages)))
    result = _apt(["apt-get", "download", *names], cwd=dest)
    if result.returncode != 0:
        raise UnreachableError(
            f"apt-get download of the VR packages failed: {_last_line(result.stderr)}",
            hint="check that Debian's package mirror is reachable and run 'apt-get update'")
    return sorted(dest.glob("*.deb"))


def missing_dependencies(packages: tuple[str, ...]) -> list[str]:
    """Packages apt would have to install for ``packages`` on this host (simulated, no change)."""
    result = _apt(["apt-get", "install", "-s", "--no-install-recommends", *packages])
    if result.returncode != 0:
        raise ConfigError(
            f"apt cannot resolve the VR packages: {_last_line(result.stderr)}",
            hint="run 'apt-get update' (the fast lane needs Debian 12 package lists)")
    return re.findall(r"^Inst (\S+)", result.stdout, flags=re.M)


def extract(debs: list[Path], root: Path) -> None:
    """``dpkg-deb -x`` every package into ``root``, then fold /bin, /sbin, /lib into /usr."""
    root.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True,
                       capture_output=True, timeout=APT_TIMEOUT)
    for name in _USR_MERGED:
        top = root / name
        if top.is_dir() and not top.is_symlink():
            shutil.copytree(top, root / "usr" / name, symlinks=True, dirs_exist_ok=True)
            shutil.rmtree(top)
    for rel in _NOT_NEEDED:  # copied into every sandbox: keep the root small
        shutil.rmtree(root / rel, ignore_errors=True)
    compile_python(root, root / "usr/lib/python3/dist-packages")


def compile_python(root: Path, tree: Path) -> None:
    """Byte-compile ``tree`` for the sandbox's python3, named as seen from the sandbox's /.

    Compiling runs none of the code; without it every sandbox compiles the modules anew.
    """
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None or not tree.is_dir():
        return
    subprocess.run([python, "-m", "compileall", "-q", "-s", str(root), "-p", "/", str(tree)],
                   capture_output=True, timeout=APT_TIMEOUT, check=False)


def _apt(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which(argv[0]) is None:
        raise ConfigError("the fast lane needs apt-get (a Debian 12 host) to fetch the VR packages")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env,
                              timeout=APT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise UnreachableError(f"{argv[0]} {argv[1]} timed out after {APT_TIMEOUT}s") from exc


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
