"""Private mount-namespace views: the machine's files with the lab's own files laid over them.

Each router (and the hypervisor host) gets a mount namespace pinned at a file, in
which ``/etc`` is an overlay (the machine's directory below, the view's files above),
``/opt`` and ``/root`` hold only the view's files (the machine's home directory and
dotfiles stay hidden), ``/run`` is a fresh tmpfs and ``/sys`` shows its own nics.
Writes land in the lab's tmpfs; the machine's real files are never modified.
"""

from __future__ import annotations

import os
from pathlib import Path

from vrtest.lab.netns import create_mount_ns, create_uts_ns, enter_argv, run
from vrtest.lab.paths import LabPaths
from vrtest.lab.vrfiles import ViewFiles

OVERLAID = ("etc",)  # the machine's /etc below, the view's files above
REPLACED = ("opt", "root")  # only the view's files: the machine's /root and /opt stay hidden
PROFILE = "# vrtest lab: root's shell start-up (the machine's own dotfiles are not visible)\n"


def write_view(view: Path, files: ViewFiles) -> None:
    """Lay out ``files`` (absolute paths on the router) under the view's upper directories."""
    for root in OVERLAID + REPLACED:
        (view / root).mkdir(parents=True, exist_ok=True)
        (view / "work" / root).mkdir(parents=True, exist_ok=True)
    (view / "root").chmod(0o700)
    for dotfile in (".bashrc", ".profile"):
        (view / "root" / dotfile).write_text(PROFILE)
    for path, (text, mode) in files.items():
        target = view / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        os.chmod(target, mode)
    ssh_dir = view / "root" / ".ssh"
    if ssh_dir.exists():
        ssh_dir.chmod(0o700)


def make_uts(paths: LabPaths, name: str, hostname: str) -> None:
    """Give ``name`` its own UTS namespace, so ``hostname`` on it prints ``hostname``."""
    paths.uts(name).parent.mkdir(parents=True, exist_ok=True)
    create_uts_ns(paths.uts(name), hostname)


def mount_view(paths: LabPaths, name: str, netns: str) -> Path:
    """Create ``name``'s pinned mount namespace and mount its view inside; return the pin."""
    pin, view = paths.pin(name), paths.view(name)
    pin.parent.mkdir(parents=True, exist_ok=True)
    create_mount_ns(pin)
    for root in OVERLAID:
        options = f"lowerdir=/{root},upperdir={view / root},workdir={view / 'work' / root}"
        run(enter_argv(None, pin, ["mount", "-t", "overlay", "-o", options, "overlay", f"/{root}"]))
    for root in REPLACED:
        run(enter_argv(None, pin, ["mount", "--bind", str(view / root), f"/{root}"]))
    run(enter_argv(netns, pin, ["mount", "-t", "sysfs", "sysfs", "/sys"]))
    run(enter_argv(None, pin, ["umount", "-l", str(paths.runtime)]))
    run(enter_argv(None, pin, ["mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "run", "/run"]))
    run(enter_argv(None, pin, ["mkdir", "-m", "0755", "/run/sshd"]))
    return pin
