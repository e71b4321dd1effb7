"""Change sources on real git repositories made in a temp dir: rename, delete, merge-base."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from vrtest.errors import ExitCode, UsageError
from vrtest.selector.gitdiff import from_diff, from_pr_checkout, parse_name_status

CS = "systemvm/debian/opt/cloud/bin/cs"


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "HOME": str(repo), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A CloudStack-shaped repository with one commit on main."""
    root = tmp_path / "cloudstack"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, f"{CS}/CsRedundant.py", "redundant = 1\n" * 20)
    write(root, f"{CS}/CsDhcp.py", "dhcp = 1\n")
    write(root, "ui/src/app.vue", "<template/>\n")
    commit(root, "base")
    return root


def test_merge_base_excludes_changes_made_on_main_after_the_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "pr")
    write(repo, f"{CS}/CsDhcp.py", "dhcp = 2\n")
    commit(repo, "pr change")
    git(repo, "checkout", "-q", "main")
    write(repo, "ui/src/app.vue", "<template>later</template>\n")
    commit(repo, "main moves on")
    changes = from_diff(repo, "main...pr")
    assert changes.paths == (f"{CS}/CsDhcp.py",)
    assert changes.source["kind"] == "diff"
    assert changes.source["commit"] == git(repo, "rev-parse", "pr").strip()
    assert changes.source["merge_base"] == git(repo, "merge-base", "main", "pr").strip()


def test_rename_counts_old_and_new_path_and_delete_counts(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "pr")
    git(repo, "mv", f"{CS}/CsRedundant.py", f"{CS}/CsKeepalived.py")
    git(repo, "rm", "-q", "ui/src/app.vue")
    commit(repo, "rename and delete")
    changes = from_diff(repo, "main...pr")
    assert set(changes.paths) == {f"{CS}/CsRedundant.py", f"{CS}/CsKeepalived.py",
                                  "ui/src/app.vue"}


def test_odd_file_names_survive(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "pr")
    odd = "systemvm/debian/etc/we ird\tname;$(rm -rf x)\n.conf"
    write(repo, odd, "x\n")
    commit(repo, "odd name")
    assert from_diff(repo, "main...pr").paths == (odd,)


def test_base_only_means_base_to_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "pr")
    write(repo, f"{CS}/CsDhcp.py", "dhcp = 3\n")
    commit(repo, "change")
    assert from_diff(repo, "main").paths == (f"{CS}/CsDhcp.py",)


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a git repository") as info:
        from_diff(tmp_path, "main...HEAD")
    assert info.value.exit_code == ExitCode.CONFIG


def test_bad_ref_is_a_one_line_usage_error(repo: Path) -> None:
    with pytest.raises(UsageError, match="unknown git ref 'nosuchbranch'"):
        from_diff(repo, "nosuchbranch...HEAD")
    with pytest.raises(UsageError, match="bad git ref '--output"):
        from_diff(repo, "--output=/tmp/x...HEAD")


def test_pr_checkout_fetches_pull_head_and_diffs_against_target(
    repo: Path, tmp_path: Path
) -> None:
    upstream = repo
    git(upstream, "checkout", "-q", "-b", "feature")
    write(upstream, f"{CS}/CsRedundant.py", "changed\n")
    commit(upstream, "pr")
    git(upstream, "update-ref", "refs/pull/42/head", "feature")
    git(upstream, "checkout", "-q", "main")
    write(upstream, "ui/src/app.vue", "<template>main later</template>\n")
    commit(upstream, "main later")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True)
    changes = from_pr_checkout(clone, 42, "main")
    assert changes.paths == (f"{CS}/CsRedundant.py",)
    assert changes.source["pr"] == 42 and changes.source["base"] == "main"
    with pytest.raises(UsageError, match="cannot fetch PR #43"):
        from_pr_checkout(clone, 43, "main")


def test_parse_name_status_handles_renames_copies_and_plain() -> None:
    output = "M\0a.py\0R087\0old.py\0new.py\0C100\0src.py\0copy.py\0D\0gone.py\0"
    assert parse_name_status(output) == [
        ("M", ["a.py"]), ("R", ["old.py", "new.py"]), ("C", ["src.py", "copy.py"]),
        ("D", ["gone.py"])]


def test_cli_diff_selects_from_a_real_repo(cli, repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "pr")
    write(repo, f"{CS}/CsRedundant.py", "changed\n")
    commit(repo, "pr")
    result = cli("select", "--diff", "main...pr", "--repo", str(repo), "--format", "json")
    assert result.code == 0, result.err
    assert '"smoke/test_vpc_redundant.py"' in result.out
    missing = cli("select", "--diff", "main...pr")
    assert missing.code == 2 and "--diff needs --repo" in missing.err
