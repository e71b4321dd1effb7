"""The VR file tree under test: a checkout's ``systemvm/debian``, at HEAD or at a git ref."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from vrtest.errors import ConfigError, UsageError

SUPPORTED = ("supported: a CloudStack checkout with a systemvm/debian tree of Python 3 VR "
             "scripts, as for the Debian 12 systemvm template")
ENTRY = Path("opt/cloud/bin/update_config.py")
GIT_TIMEOUT = 120


def vr_tree(checkout: Path) -> Path:
    """The ``systemvm/debian`` directory of ``checkout`` (or ``checkout`` itself if it is one)."""
    if not checkout.is_dir():
        raise ConfigError("no such CloudStack checkout", path=str(checkout),
                          hint="pass --cloudstack PATH to a clone of apache/cloudstack")
    for candidate in (checkout / "systemvm" / "debian", checkout):
        if (candidate / ENTRY).is_file():
            _require_python3(candidate)
            return candidate
    if (checkout / "systemvm" / "patches" / "debian" / "config").is_dir():
        raise ConfigError("this checkout has the 4.6-era systemvm/patches layout (Python 2 VR "
                          "scripts), which the fast lane cannot run", path=str(checkout),
                          hint=SUPPORTED)
    raise ConfigError(f"no systemvm/debian tree with {ENTRY} here", path=str(checkout),
                      hint=SUPPORTED)


def _require_python3(tree: Path) -> None:
    for script in (tree / ENTRY, tree / "opt/cloud/bin/merge.py"):
        if not script.is_file():
            continue
        try:
            compile(script.read_bytes(), str(script), "exec")
        except SyntaxError as exc:
            raise ConfigError(f"{script.name} is not Python 3 (line {exc.lineno}): these are "
                              "Python 2 VR scripts", path=str(tree), hint=SUPPORTED) from exc


def tree_at(checkout: Path, ref: str, cache_dir: Path) -> Path:
    """Extract ``systemvm/debian`` at git ``ref`` into the cache (once per commit)."""
    if not re.fullmatch(r"[\w./@^~{}-]+", ref) or ref.startswith("-"):
        raise UsageError(f"not a git ref: {ref!r}", hint="give a branch, tag or commit")
    try:
        commit = _git(checkout, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except ConfigError:
        raise ConfigError(f"unknown git ref {ref!r}", path=str(checkout),
                          hint="fetch it first or check the spelling of --base") from None
    target = cache_dir / "trees" / commit[:12]
    if not (target / "systemvm" / "debian").is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="tree-", dir=target.parent))
        try:
            archive = subprocess.run(
                ["git", "-C", str(checkout), "archive", commit, "systemvm"],
                capture_output=True, timeout=GIT_TIMEOUT, check=False)
            if archive.returncode != 0:
                raise ConfigError(f"no systemvm tree at {ref}", path=str(checkout), hint=SUPPORTED)
            subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True,
                           timeout=GIT_TIMEOUT)
            shutil.rmtree(target, ignore_errors=True)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return vr_tree(target)


def _git(checkout: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True,
                            timeout=GIT_TIMEOUT, check=False)
    if result.returncode != 0:
        raise ConfigError(f"git {args[0]} failed: {result.stderr.strip() or 'unknown ref'}",
                          path=str(checkout), hint="is it a git checkout with that ref?")
    return result.stdout
