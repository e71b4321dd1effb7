"""``--shard K/N``: deterministic, disjoint, complete, balanced by known durations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.run_support import make_checkout, records, standin_environ, write_env, write_selection
from vrtest.errors import UsageError
from vrtest.runner.shard import assign, load_durations, parse_shard, select_shard

SUITES = [f"smoke/test_{i:02d}.py" for i in range(17)]


def test_parse_shard() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "a/b", "1/0", "2"):
        with pytest.raises(UsageError):
            parse_shard(bad)


def test_shards_are_disjoint_complete_and_deterministic() -> None:
    shards = [select_shard(SUITES, k, 4, {}) for k in range(1, 5)]
    assert sorted(s for shard in shards for s in shard) == sorted(SUITES)
    assert sum(len(s) for s in shards) == len(SUITES)
    assert {len(s) for s in shards} <= {4, 5}
    reordered = list(reversed(SUITES))
    assert [set(select_shard(reordered, k, 4, {})) for k in range(1, 5)] == [
        set(shard) for shard in shards]  # membership does not depend on input order
    assert select_shard(SUITES, 3, 4, {}) == select_shard(SUITES, 3, 4, {})


def test_shards_balance_known_durations() -> None:
    durations = {"a": 600.0, "b": 300.0, "c": 300.0, "d": 10.0, "e": 10.0, "f": 5.0}
    buckets = assign(list(durations), 2, durations)
    loads = sorted(sum(durations[n] for n in bucket) for bucket in buckets)
    assert loads == [610.0, 615.0]
    assert buckets[0][0] == "a"  # longest first


def test_durations_from_a_previous_results_file(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(json.dumps(r) for r in [
        {"name": "smoke/a.py", "kind": "marvin", "duration": 42.5},
        {"name": "vr-checks", "kind": "checks", "duration": 3.0},
    ]) + "\n{torn")
    assert load_durations(results) == {"smoke/a.py": 42.5}
    assert load_durations(tmp_path) == {"smoke/a.py": 42.5}
    mapping = tmp_path / "durations.json"
    mapping.write_text('{"smoke/b.py": 7}')
    assert load_durations(mapping) == {"smoke/b.py": 7.0}


@pytest.mark.parametrize("text", ['{"smoke/b.py": "slow"}', "[1, 2]", '{"smoke/b.py": null}'])
def test_durations_of_the_wrong_shape_are_a_usage_error(tmp_path: Path, text: str) -> None:
    mapping = tmp_path / "durations.json"
    mapping.write_text(text)
    with pytest.raises(UsageError, match="durations file is not a map of suite to seconds"):
        load_durations(mapping)


def test_cli_shards_split_the_suites_and_checks_run_once(cli: CliRunner, tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    env = write_env(tmp_path, checkout)
    suites = ["smoke/test_pass.py", "smoke/test_mixed.py", "smoke/test_setup_error.py"]
    selection = write_selection(tmp_path, suites, checks=["default-route"])
    for k in (1, 2):
        out = tmp_path / f"shard{k}"
        result = cli("run", "--selection", str(selection), "--env", str(env), "--output",
                     str(out), "--shard", f"{k}/2", env=standin_environ(tmp_path))
        assert result.code in (0, 1), result.err
        kinds = [json.loads(line)["kind"] for line in
                 (out / "results.jsonl").read_text().splitlines()]
        assert kinds.count("checks") == (1 if k == 1 else 0)
        assert json.loads((out / "run.json").read_text())["shard"] == f"{k}/2"
    ran = [r["argv"][5] for r in records(tmp_path) if "argv" in r]
    assert sorted(ran) == sorted(f"test/integration/{s}" for s in suites)


def test_a_missing_durations_file_is_said_and_the_shard_still_runs(cli: CliRunner,
                                                                   tmp_path: Path) -> None:
    checkout = make_checkout(tmp_path)
    env = write_env(tmp_path, checkout)
    selection = write_selection(tmp_path, ["smoke/test_pass.py", "smoke/test_mixed.py"])
    missing = tmp_path / "first-build" / "results.jsonl"
    result = cli("run", "--selection", str(selection), "--env", str(env), "--output",
                 str(tmp_path / "out"), "--shard", "1/2", "--durations", str(missing),
                 "--dry-run", env=standin_environ(tmp_path))
    assert result.code == 0, result.err
    assert f"--durations {missing}: no such file" in result.err
    assert "Traceback" not in result.err
