"""vrtest's pytest plugin (entry point ``pytest11: vrtest``).

``pytest suites/ --vrtest-env local`` runs vrtest's own VR-check suites against an environment:
each test that takes ``vr_router`` is parametrised over the discovered routers (ids are router
names, e.g. ``test_default_route[r-4-VM]``) and calls ``vr_check("default-route", vr_router)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from vrtest.checks.pytest_support import VrSession

_SESSION_KEY = pytest.StashKey["VrSession | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register vrtest's command-line options."""
    group = parser.getgroup("vrtest", "CloudStack virtual-router checks")
    group.addoption(
        "--vrtest-env",
        default=None,
        help="environment (name or descriptor path) whose routers the VR-check suites target",
    )
    group.addoption(
        "--vrtest-envs-dir",
        default=None,
        help="directory of environment descriptors (default ./environments)",
    )
    group.addoption(
        "--vrtest-router", action="append", default=[], metavar="NAME",
        help="only this router (repeatable; default every router the API lists)",
    )


def _vr_session(config: pytest.Config) -> VrSession | None:
    if _SESSION_KEY not in config.stash:
        ref = config.getoption("--vrtest-env")
        if not ref:
            config.stash[_SESSION_KEY] = None
        else:
            from vrtest.checks.pytest_support import VrSession
            from vrtest.errors import VrtestError

            try:
                session = VrSession.open(ref, config.getoption("--vrtest-envs-dir"),
                                         config.getoption("--vrtest-router"))
            except VrtestError as exc:
                raise pytest.UsageError(f"--vrtest-env {ref}: {exc.one_line()}") from None
            config.stash[_SESSION_KEY] = session
    return config.stash[_SESSION_KEY]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``vr_router`` over the environment's routers, named by router."""
    if "vr_router" not in metafunc.fixturenames:
        return
    session = _vr_session(metafunc.config)
    if session is None or session.skip_reason or not session.routers:
        reason = ("no --vrtest-env given" if session is None
                  else session.skip_reason or "the API lists no routers")
        metafunc.parametrize("vr_router", [pytest.param(None, marks=pytest.mark.skip(
            reason=reason))], ids=["no-routers"])
        return
    metafunc.parametrize("vr_router", session.routers, ids=[r.name for r in session.routers])


@pytest.fixture
def vr_check(request: pytest.FixtureRequest) -> Any:
    """``vr_check(name, router)``: pass, skip with the check's reason, or fail with evidence.

    A router that cannot be reached makes the test an ERROR (at setup), not a failure.
    """
    from vrtest.checks.pytest_support import CheckFailed, RouterUnreachable, describe
    from vrtest.results import Outcome

    session = _vr_session(request.config)
    callspec = getattr(request.node, "callspec", None)
    router = callspec.params.get("vr_router") if callspec else None
    if session is not None and router is not None:
        error = session.outputs()[router.name].error
        if error.startswith("router is "):
            pytest.skip(error)
        if error:
            raise RouterUnreachable(f"{router.name}: {error}")

    def check(name: str, router: Any) -> None:
        __tracebackhide__ = True
        assert session is not None
        verdict = session.verdict(name, router)
        if verdict.outcome is Outcome.SKIPPED:
            pytest.skip(verdict.message)
        if verdict.outcome is not Outcome.PASSED:
            raise CheckFailed(f"{name} on {router.name}: {describe(verdict)}")

    return check
