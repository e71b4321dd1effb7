"""PID 1 of a new sandbox: build the overlay root, lay in packages and VR files, chroot.

Run by :class:`vrtest.fastlane.sandbox.SandboxGroup` as ``nsenter --net=NS unshare --mount
--pid --fork ... python -m vrtest.fastlane.inner RUN VR PKG NAME BACKEND ESP``.
Everything it mounts lives in the sandbox's private mount namespace and dies with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from vrtest.fastlane.stubs import STUBS

# Directories packages of the systemvm template provide and the scripts expect.
VR_DIRS = (
    "run/lock", "var/cache/cloud", "var/log", "etc/cloudstack", "etc/ipsec.d", "etc/iptables",
    "etc/dnsmasq.d", "etc/keepalived", "etc/conntrackd", "var/lib/misc",
    "etc/apache2/sites-enabled", "etc/haproxy", "etc/ppp", "etc/xl2tpd", "usr/local/sbin",
    "var/www/html", "root",
)
IPTABLES_TOOLS = ("iptables", "iptables-save", "iptables-restore",
                  "ip6tables", "ip6tables-save", "ip6tables-restore")
# strongSwan's user-space ESP (libcharon-extra-plugins, as on the template), for kernels
# built without CONFIG_INET_ESP: charon then keys CHILD_SAs into a TUN device instead. Its
# routes into the TUN device go to table 220, looked up only after main: the template's L2TP
# transport trap (udp/1701 to 0.0.0.0/0) becomes a route for everything, which would
# otherwise take all the router's traffic, IKE included.
USERSPACE_ESP = {
    "etc/strongswan.d/charon/kernel-libipsec.conf": "kernel-libipsec {\n    load = yes\n}\n",
    "etc/strongswan.d/vrtest-userspace-esp.conf":
        "charon {\n    routing_table = 220\n    routing_table_prio = 32767\n}\n",
}
INIT_LOOP = 'trap "" TERM INT HUP; while :; do wait -n 2>/dev/null || sleep 1; done'


def sh(*argv: str) -> None:
    """Run one setup command; any failure aborts the sandbox."""
    subprocess.run(argv, check=True)


def build_root(run: Path, vr_files: Path, pkg_root: Path | None) -> Path:
    """Mount a tmpfs-backed overlay over / with the packages and VR files stacked on top."""
    ovl, merged = run / "ovl", run / "merged"
    sh("mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", str(ovl))
    for name in ("upper", "work", "empty", "layers"):
        (ovl / name).mkdir()
    layers = [vr_files, *([pkg_root] if pkg_root is not None else [])]
    stacked = stack_layers(ovl, layers)
    lower = f"{ovl}/layers:/" if stacked else "/"
    sh("mount", "-t", "overlay", "overlay", "-o",
       f"lowerdir={lower},upperdir={ovl}/upper,workdir={ovl}/work", str(merged))
    if not stacked:  # the layers could not be stacked: copy them in (slower, same result)
        for layer in reversed(layers):
            sh("cp", "-a", f"{layer}/.", f"{merged}/")
    sh("mount", "-t", "proc", "proc", f"{merged}/proc")
    sh("mount", "-t", "sysfs", "sysfs", f"{merged}/sys")
    sh("mount", "--rbind", "/dev", f"{merged}/dev")
    for path in ("run", "tmp"):
        sh("mount", "-t", "tmpfs", "tmpfs", f"{merged}/{path}")
    return merged


def stack_layers(ovl: Path, layers: list[Path]) -> bool:
    """Mount ``layers`` (first on top) read-only at ``ovl/layers``; False if that fails.

    Their own overlay gives them a superblock apart from /, so the root overlay may stack
    them over / (directories of one filesystem under its root cannot be layers beside it).
    """
    if any(ch in str(path) for path in layers for ch in ":,\\"):
        return False
    lower = ":".join(str(path) for path in [*layers, ovl / "empty"])
    done = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", f"ro,lowerdir={lower}",
                           str(ovl / "layers")], capture_output=True, check=False)
    return done.returncode == 0


def furnish(merged: Path, hostname: str, backend: str) -> None:
    """Directories, stand-ins, iptables backend links, /usr/bin/python and the hostname."""
    for rel in VR_DIRS:
        (merged / rel).mkdir(parents=True, exist_ok=True)
    sbin = merged / "usr/local/sbin"
    for name, text in STUBS.items():
        (sbin / name).write_text(text)
        (sbin / name).chmod(0o755)
    for tool in IPTABLES_TOOLS:
        link = sbin / tool
        link.unlink(missing_ok=True)
        link.symlink_to(f"/usr/sbin/xtables-{backend}-multi")
    python = merged / "usr/bin/python"
    if not python.exists():
        python.symlink_to("python3")
    (merged / "etc/hostname").write_text(hostname + "\n")
    template = merged / "etc/apache2/vhost.template"
    if not template.exists():
        template.write_text("<VirtualHost _default_:8180>\n</VirtualHost>\nListen 0.0.0.0:8180\n")


def use_userspace_esp(merged: Path) -> None:
    """Load strongSwan's kernel-libipsec plugin (the host kernel has no ESP)."""
    if not (merged / "etc/strongswan.d/charon").is_dir():
        return  # no strongSwan in this sandbox
    for rel, text in USERSPACE_ESP.items():
        (merged / rel).write_text(text)


def main(argv: list[str]) -> None:
    """Entry point: ``RUN VR_FILES PKG_ROOT|- HOSTNAME BACKEND kernel|userspace``."""
    run, vr_files, pkg, hostname, backend, esp = argv
    merged = build_root(Path(run), Path(vr_files), None if pkg == "-" else Path(pkg))
    furnish(merged, hostname, backend)
    if esp == "userspace":
        use_userspace_esp(merged)
    (Path(run) / "ready").write_text(str(os.getpid()))
    os.execv("/usr/sbin/chroot", ["chroot", str(merged), "/bin/bash", "-c", INIT_LOOP])


if __name__ == "__main__":
    main(sys.argv[1:])
