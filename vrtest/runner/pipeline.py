"""``vrtest run`` as a visible pipeline of stages (nox's model), each logging one line.

changes -> selection -> plan -> deploy -> Marvin config -> Marvin suites -> VR checks
-> reports -> exit code. The exit code is derived at the end from the recorded results.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from vrtest.console import Console
from vrtest.environment import Environment
from vrtest.environment.marvin_config import render_marvin_config
from vrtest.errors import ConfigError, ExitCode, Interrupted, UsageError, VrtestError
from vrtest.fastlane.stage import run_fastlane_stage
from vrtest.history import likely_failures_first, suite_durations
from vrtest.history.runhook import BASELINE_KEY
from vrtest.results import SuiteResult
from vrtest.runner import deploy as deploy_stage
from vrtest.runner.changes import load_selection_file, select_for_run
from vrtest.runner.checks_stage import run_check_stage
from vrtest.runner.dry_run import show_plan
from vrtest.runner.execute import run_suites
from vrtest.runner.finish import exit_code, show_outcome, stage_baseline, stage_reports
from vrtest.runner.lab_stage import lab_for_checks, lab_for_marvin
from vrtest.runner.marvin_command import LOG_FOLDER
from vrtest.runner.options import RunOptions
from vrtest.runner.plan import Plan, make_plan, read_selection
from vrtest.runner.preflight import check_marvin_python
from vrtest.runner.provenance import how_tested
from vrtest.runner.shard import load_durations, select_shard
from vrtest.runner.state import RunState, utc_now
from vrtest.runner.store import RUN_META, SELECTION, RunStore, mask_tree
from vrtest.runner.suite import SuiteContext

MARVIN_CONFIG = "marvin.cfg"


def stage_prepare(state: RunState) -> None:
    """Refuse to overwrite a run; record run.json (env, commit, PR, argv)."""
    store, options = state.store, state.options
    if (store.directory / "results.jsonl").exists() and not options.resume and not options.dry_run:
        raise UsageError(f"{store.directory} already holds a run",
                         hint=f"continue it with --resume {store.directory} or pick --output")
    if options.resume and not (store.directory / RUN_META).exists():
        raise UsageError(f"--resume {store.directory}: no vrtest run there (no {RUN_META})",
                         hint="give the --output directory of an earlier run")
    if options.dry_run:
        store.check_creatable()  # a dry run writes nothing, but says now if the run could not
    else:
        store.prepare()
    previous = store.read_json(RUN_META) if options.resume else {}
    state.meta = {**previous, "env": state.env.name, "hypervisor": state.env.hypervisor,
                  "started": previous.get("started", utc_now()), "finished": "",
                  "status": "running", "argv": list(options.argv)}
    state.meta["how"] = how_tested(state.env, options)
    if options.shard:
        state.meta["shard"] = f"{options.shard[0]}/{options.shard[1]}"
    state.console.info(f"[prepare] output {store.directory} (env {state.env.name})")


def stage_select(state: RunState) -> None:
    """Changes -> selection (a resumed run reuses its saved selection.json)."""
    saved = state.store.directory / SELECTION
    if state.options.resume and saved.exists():
        state.selection = load_selection_file(saved)
    else:
        state.selection = select_for_run(state.options, state.env, state.console)
    source = state.selection.get("source") or {}
    for key in ("commit", "pr", "title", "branch", "base", "head"):
        if source.get(key) not in (None, ""):
            state.meta[key] = source[key]
    if not state.options.dry_run:
        state.store.write_json(SELECTION, state.selection)
    state.console.info(f"[select] {state.options.change_source}: "
                       f"{len(state.selection.get('suites', []))} suite(s), "
                       f"{len(state.selection.get('checks', []))} check(s)")


def stage_plan(state: RunState) -> None:
    """Selection -> plan: filter by environment, shard, skip what a resumed run finished."""
    plan = make_plan(read_selection(state.selection), state.env)
    suites = list(plan.suites)
    if state.options.shard:
        index, total = state.options.shard
        given = state.options.durations
        if given is not None and not given.exists():
            # Warn, do not fail: a Jenkins job's first build has no earlier run to point at.
            state.console.warn(f"--durations {given}: no such file; shards are balanced by "
                               "history, else by equal weights")
        durations = load_durations(given) or suite_durations(
            state.env.name, history=state.options.history)
        names = select_shard([s.path for s in suites], index, total, durations)
        suites = [s for s in suites if s.path in set(names)]
        checks = plan.checks if index == 1 else ()  # VR checks run once, on shard 1
        plan = Plan(tuple(suites), checks, plan.not_run if index == 1 else (), plan.not_verified)
    order = likely_failures_first([s.path for s in plan.suites], state.env.name,
                                  history=state.options.history)
    plan = Plan(tuple(sorted(plan.suites, key=lambda s: order.index(s.path))), plan.checks,
                plan.not_run, plan.not_verified)
    finished = state.store.finished_names() if state.options.resume else set()
    skipped = [s.path for s in plan.suites if ("marvin", s.path) in finished]
    state.plan = Plan(tuple(s for s in plan.suites if ("marvin", s.path) not in finished),
                      () if any(kind == "checks" for kind, _ in finished) else plan.checks,
                      plan.not_run, plan.not_verified)
    state.meta["plan"] = state.plan.to_dict()
    state.meta["not_verified"] = list(state.plan.not_verified)
    resumed = f", {len(skipped)} already finished" if skipped else ""
    state.console.info(f"[plan] {len(state.plan.suites)} suite(s) to run, "
                       f"{len(state.plan.checks)} check(s), {len(plan.not_run)} not run{resumed}")


def stage_preflight(state: RunState) -> None:
    """Before any deploy: the checkout holds the suites and marvin.python can run them."""
    if not state.plan.suites:
        return
    ctx = _suite_context(state, state.store.directory / MARVIN_CONFIG)
    with state.console.status(f"[preflight] {state.env.marvin.python or 'nosetests'}"):
        check_marvin_python(state.env, ctx.checkout, ctx.run_dir)


def stage_deploy(state: RunState) -> None:
    """The descriptor's deploy steps, with {pr}/{commit}/{branch} filled in."""
    if not state.env.deploy or (state.options.resume and state.meta.get("deployed")):
        state.console.info("[deploy] nothing to deploy")
        return
    deploy_stage.run_deploy(state.env.deploy, state.meta, state.store, state.registry,
                            state.console)
    state.meta["deployed"] = utc_now()


def stage_marvin_config(state: RunState) -> Path | None:
    """Render the Marvin config into the output dir (mode 0600; never in a report)."""
    if not state.plan.suites:
        return None
    path = (state.store.directory / MARVIN_CONFIG).resolve()  # children run in the checkout
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(render_marvin_config(state.env))
    state.console.info(f"[marvin-config] {path}")
    return path


def stage_marvin(state: RunState, config: Path | None) -> None:
    """One process per suite, recorded to results.jsonl the moment each finishes."""
    for suite, reason in state.plan.not_run:
        state.store.append(SuiteResult(name=suite.path, kind="marvin", error=f"not run: {reason}",
                                       metadata={"not_run": "true"}))
    if not state.plan.suites or config is None:
        return
    ctx = _suite_context(state, config)
    jobs = state.options.jobs if state.env.marvin.parallel_safe else 1
    if state.options.jobs > 1 and jobs == 1:
        state.console.warn(f"--jobs {state.options.jobs} ignored: environment "
                           f"{state.env.name!r} is not marvin.parallel_safe")
    state.console.info(f"[marvin] {len(state.plan.suites)} suite(s) with "
                       f"{state.env.marvin.runner}, {jobs} at a time")

    def record(result: SuiteResult) -> None:
        state.store.append(result)
        verdict = "ERROR" if result.error else "FAILED" if result.failed else "ok"
        state.console.info(f"[marvin] {result.name}: {verdict} ({result.duration:.1f}s)")

    try:
        run_suites(list(state.plan.suites), ctx, jobs, record)
    finally:  # whatever a suite's output did not name (a crash, an interrupt)
        mask_tree(ctx.run_dir / LOG_FOLDER)


def _suite_context(state: RunState, config: Path) -> SuiteContext:
    checkout = state.options.checkout(state.env)
    if checkout is None or not (checkout / "test" / "integration").is_dir():
        where = f"{checkout} has no test/integration" if checkout else "none given"
        raise ConfigError(f"no CloudStack checkout for the Marvin suites ({where})",
                          key="marvin.cloudstack",
                          hint="pass --cloudstack PATH or set marvin.cloudstack")
    marvin = state.env.marvin
    timeout = state.options.suite_timeout or marvin.suite_timeout
    return SuiteContext(marvin, checkout.resolve(), state.store.directory.resolve(), config,
                        timeout, state.options.rerun_failures, state.registry)


def stage_fastlane(state: RunState) -> None:
    """Fast-lane scenarios on sandboxed routers (environments of kind: fastlane only)."""
    if state.env.kind != "fastlane":
        return
    done = {name for kind, name in state.store.finished_names() if kind == "fastlane"} \
        if state.options.resume else set()
    run_fastlane_stage(state.env, state.selection, state.options.cloudstack, state.console,
                       state.store.append, done)


def stage_checks(state: RunState) -> None:
    """The selected VR checks, as one SuiteResult(kind="checks") with evidence."""
    names = [check.name for check in state.plan.checks]
    if not names:
        return
    routers = tuple(str(r) for r in state.selection.get("routers") or ())
    with lab_for_checks(state.env, names, state.console), \
            state.console.status(f"[checks] {len(names)} VR check(s): {', '.join(names)}"):
        result = run_check_stage(state.env, names, routers)
    state.store.append(result)
    state.console.info(f"[checks] {'FAILED' if result.failed else 'ok'}")


def run_pipeline(options: RunOptions, env: Environment, console: Console) -> int:
    """Run every stage; partial reports on interrupt; the exit code comes from the results."""
    state = RunState(options, env, RunStore(options.output), console)
    existed = options.output.exists()
    stage_prepare(state)
    try:
        stage_select(state)
        stage_plan(state)
    except VrtestError:
        if not existed:  # nothing ran: leave no empty run directory behind a usage error
            shutil.rmtree(options.output, ignore_errors=True)
        raise
    if options.dry_run:
        show_plan(state.plan, state.env, options, console, state.selection)
        return int(ExitCode.OK)
    try:
        stage_preflight(state)
        stage_deploy(state)
        config = stage_marvin_config(state)
        with lab_for_marvin(env, len(state.plan.suites), [c.name for c in state.plan.checks],
                            console):
            stage_marvin(state, config)
            stage_fastlane(state)
            stage_checks(state)
    except deploy_stage.DeployFailed as exc:
        stage_reports(state, "deploy failed")
        console.error(exc.message)
        return int(ExitCode.UNREACHABLE)
    except (KeyboardInterrupt, Interrupted) as exc:
        state.registry.stop_all()
        interrupted = exc if isinstance(exc, Interrupted) else Interrupted(
            "SIGINT", ExitCode.INTERRUPTED)
        stage_reports(state, "interrupted")
        raise interrupted from None
    except VrtestError:
        stage_reports(state, "stopped by an error")  # what finished is still reported
        raise
    stage_baseline(state)
    stage_reports(state, "finished")
    code = exit_code(state.store.results(), state.meta.get(BASELINE_KEY))
    show_outcome(state, code)
    return int(code)
