"""A byte-compiled copy of a VR tree, cached by content, so sandboxes skip compiling it.

Every ``update_config.py`` run imports the ``cs`` package; without ``__pycache__`` each new
sandbox compiles it again (about 0.1 s of the first script). The copy is compiled once per
tree content with the python3 the sandbox runs, names as seen from the sandbox's ``/``;
compiling runs none of the code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from vrtest.fastlane.packages import compile_python

KEEP = 16  # compiled trees kept (the least recently used go first)


def compiled_tree(tree: Path, cache: Path) -> Path:
    """``tree`` copied and byte-compiled under ``cache/compiled/``; ``tree`` itself on failure."""
    try:
        target = cache / "compiled" / tree_key(tree)
        if not (target / "complete").exists():
            _build(tree, target)
        os.utime(target)
        _prune(target.parent)
        return target / "root"
    except (OSError, subprocess.SubprocessError, shutil.Error):
        return tree  # slower (the sandbox compiles), same result


def tree_key(tree: Path) -> str:
    """A digest of every file's path, mode and content (symlinks by their target)."""
    digest = hashlib.sha256()
    for path in sorted(tree.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(tree).as_posix()
        if path.is_symlink():
            digest.update(f"L {rel} {os.readlink(path)}\n".encode())
        else:
            digest.update(f"F {rel} {path.stat().st_mode:o}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build(tree: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tree-", dir=target.parent))
    try:
        shutil.copytree(tree, work / "root", symlinks=True)
        compile_python(work / "root", work / "root" / "opt/cloud/bin")
        (work / "complete").write_text(f"{tree}\n")
        try:
            os.rename(work, target)
        except OSError:  # another run finished first
            if not (target / "complete").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prune(compiled: Path) -> None:
    trees = sorted((p for p in compiled.iterdir() if (p / "complete").exists()),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in trees[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
