"""The nose stand-in: CloudStack CI's command line in, nose's xunit file out.

Accepts exactly ``--with-xunit --xunit-file=X --with-marvin --marvin-config=CFG
[--log-folder-path=DIR] TARGET... [-m RE]
-s -a EXPR --zone=Z --hypervisor=H`` (TARGET = ``file.py`` or ``file.py:Class[.method]``; ``-m`` is
nose's testMatch, searched in method names); any other option is a usage error (exit 2), as with
nose. As with real nose and Marvin's plugin, a ``file.py:Class.method`` target gets no Marvin
clients injected (nose bypasses the plugin's ``loadTestsFromTestCase`` for it). Suites are real
unittest classes; what they do (pass, fail, error, skip, setUpClass error, hang, crash, flaky) is
their own code. The xunit file
is written the way nose's xunit plugin writes it, including ``<nose.suite`` context errors.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time
import traceback
import unittest
from typing import Any
from xml.sax.saxutils import quoteattr

from marvin.marvinInit import MarvinInit

FLAGS = ("--with-xunit", "--with-marvin", "-s")
DEFAULT_MATCH = r"(?:^|[\b_\.-])[Tt]est"  # nose's testMatch
VALUED = ("--xunit-file", "--marvin-config", "--zone", "--hypervisor", "--log-folder-path")


def parse(argv: list[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """Options, targets and -a expressions; SystemExit(2) on anything nose would reject."""
    options: dict[str, str] = {}
    targets: list[str] = []
    attrs: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in FLAGS:
            options[arg] = "1"
        elif arg == "-a":
            attrs.append(next(args))
        elif arg == "-m":
            options["-m"] = next(args)
        elif arg.startswith("-") and arg.split("=", 1)[0] in VALUED and "=" in arg:
            key, value = arg.split("=", 1)
            options[key] = value
        elif arg.startswith("-"):
            sys.stderr.write(f"nosetests: error: no such option: {arg}\n")
            raise SystemExit(2)
        else:
            targets.append(arg)
    return options, targets, attrs


def attr_ok(function: Any, cls: type, expressions: list[str]) -> bool:
    """nose's attrib plugin: comma = AND within -a, repeated -a = OR."""
    if not expressions:
        return True
    for expression in expressions:
        ok = True
        for condition in filter(None, (c.strip() for c in expression.split(","))):
            key, _, value = condition.partition("=")
            actual = getattr(function, key, getattr(cls, key, False))  # nose: missing = False
            if not value:
                ok = not actual if key.startswith("!") else bool(actual)
            elif isinstance(actual, (list, tuple)):
                ok = value.lower() in [str(x).lower() for x in actual]
            else:
                ok = str(actual).lower() == value.lower()
            if not ok:
                break
        if ok:
            return True
    return False


def load(path: str) -> Any:
    """Import a suite file under a dotted name as nose would derive it."""
    name = path.removesuffix(".py").replace("/", ".").removeprefix("test.")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Xunit:
    """Collects testcase elements exactly as nose's xunit plugin formats them."""

    def __init__(self) -> None:
        self.cases: list[str] = []
        self.stats = {"errors": 0, "failures": 0, "passes": 0, "skipped": 0}

    def add(self, cls: str, name: str, taken: float, kind: str = "",
            err: tuple[Any, Any, Any] | None = None) -> None:
        """One testcase; kind is '', 'failure', 'error' or 'skipped'."""
        head = f"<testcase classname={quoteattr(cls)} name={quoteattr(name)} time=\"{taken:.3f}\">"
        if not kind or err is None:
            self.stats["passes"] += 1
            self.cases.append(head + "</testcase>")
            return
        self.stats[{"failure": "failures", "error": "errors", "skipped": "skipped"}[kind]] += 1
        errtype = f"{err[0].__module__}.{err[0].__name__}"
        tb = "".join(traceback.format_exception(*err)).replace("]]>", "]]>]]&gt;<![CDATA[")
        self.cases.append(f"{head}<{kind} type={quoteattr(errtype)} message="
                          f"{quoteattr(str(err[1]))}><![CDATA[{tb}]]></{kind}></testcase>")

    def write(self, path: str) -> None:
        """The file nose writes at the end of the run."""
        total = sum(self.stats.values())
        with open(path, "w", encoding="UTF-8") as handle:
            handle.write(f'<?xml version="1.0" encoding="UTF-8"?><testsuite name="nosetests" '
                         f'tests="{total}" errors="{self.stats["errors"]}" failures='
                         f'"{self.stats["failures"]}" skip="{self.stats["skipped"]}">')
            handle.write("".join(self.cases) + "</testsuite>")


class Capture(unittest.TestResult):
    """Keeps the first failure, error or skip with its real exc_info."""

    outcome: tuple[str, Any] = ("", None)

    def addFailure(self, test: Any, err: Any) -> None:
        self.outcome = ("failure", err)

    def addError(self, test: Any, err: Any) -> None:
        self.outcome = ("error", err)

    def addSkip(self, test: Any, reason: str) -> None:
        self.outcome = ("skipped", (unittest.SkipTest, unittest.SkipTest(reason), None))


def run_class(cls: type, methods: list[str], xunit: Xunit, client: dict[str, Any]) -> None:
    """setUpClass (a failure is nose's ContextSuite setup error), each method, tearDownClass."""
    for key, value in client.items():
        setattr(cls, key, value)
    context = f"<nose.suite.ContextSuite context={cls.__name__}>"
    started = time.monotonic()
    try:
        cls.setUpClass()  # type: ignore[attr-defined]
    except Exception:
        head, tail = context.rsplit(".", 1)
        xunit.add(head, tail + ":setup", time.monotonic() - started, "error", sys.exc_info())
        return
    for method in methods:
        result = Capture()
        started = time.monotonic()
        cls(method).run(result)  # type: ignore[call-arg]
        kind, err = result.outcome
        xunit.add(f"{cls.__module__}.{cls.__name__}", method, time.monotonic() - started,
                  kind, err)
    cls.tearDownClass()  # type: ignore[attr-defined]


def selected(module: Any, spec: str, attrs: list[str], match: str = DEFAULT_MATCH
             ) -> list[tuple[type, list[str]]]:
    """(class, methods) chosen by a ``Class[.method]`` spec, the -m pattern and the -a filter."""
    wanted_cls, _, wanted_method = spec.partition(".")
    chosen = []
    for name in sorted(vars(module)):
        cls = vars(module)[name]
        if not isinstance(cls, type) or not issubclass(cls, unittest.TestCase):
            continue
        if cls.__module__ != module.__name__:
            continue
        if wanted_cls and name != wanted_cls:
            continue
        methods = [m for m in sorted(dir(cls)) if re.search(match, m)
                   and (not wanted_method or m == wanted_method)
                   and attr_ok(getattr(cls, m), cls, attrs)]
        if methods:
            chosen.append((cls, methods))
    return chosen


def main(argv: list[str]) -> int:
    """Run like ``nosetests``; exit 0 when everything passed, 1 otherwise."""
    options, targets, attrs = parse(argv)
    _record(argv)
    if os.environ.get("STANDIN_ECHO_CONFIG"):  # as a chatty Marvin log would
        with open(options.get("--marvin-config", ""), encoding="utf-8") as handle:
            print("Marvin config:", handle.read(), flush=True)
    init = MarvinInit(options.get("--marvin-config", ""), zone=options.get("--zone"),
                      hypervisor_type=options.get("--hypervisor"),
                      user_logfolder_path=options.get("--log-folder-path"))
    if "--with-marvin" in options and init.init() != "SUCCESS":
        print("\nStarting Marvin Failed, exiting. Please Check")  # real Marvin's words
        return 1
    client = {"testClient": init.getTestClient(), "clstestclient": init.getTestClient(),
              "config": init.getParsedConfig(), "hypervisor": options.get("--hypervisor")}
    xunit = Xunit()
    for target in targets:
        path, _, spec = target.partition(":")
        injected = {} if "." in spec else client  # nose skips the plugin for Class.method
        for cls, methods in selected(load(path), spec, attrs, options.get("-m", DEFAULT_MATCH)):
            run_class(cls, methods, xunit, injected)
    if "--with-xunit" in options:
        xunit.write(options.get("--xunit-file", "nosetests.xml"))
    return 0 if not (xunit.stats["errors"] or xunit.stats["failures"]) else 1


def _record(argv: list[str]) -> None:
    record = os.environ.get("STANDIN_RECORD")
    if record:
        keys = ("PYTHONUNBUFFERED", "VRTEST_RUN_DIR", "VRTEST_SUITE")
        with open(record, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"argv": argv, "cwd": os.getcwd(),
                                     "env": {k: os.environ.get(k) for k in keys}}) + "\n")
