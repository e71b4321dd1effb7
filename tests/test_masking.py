"""Secrets registered once are masked in console output, logs and errors."""

from __future__ import annotations

import io
import logging

from vrtest.console import Console
from vrtest.masking import MASK, MaskingFilter, mask, register_secret


def test_mask_replaces_every_occurrence_longest_first(secrets) -> None:
    register_secret("hunter2")
    register_secret("hunter2-extended")
    assert mask("a hunter2-extended b hunter2") == f"a {MASK} b {MASK}"


def test_short_values_are_not_treated_as_secrets(secrets) -> None:
    register_secret("ab")
    assert mask("ab cab") == "ab cab"


def test_console_masks_stdout_and_stderr(secrets) -> None:
    register_secret("s3cr3t-key")
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, environ={})
    console.print("key=s3cr3t-key")
    console.error("bad s3cr3t-key")
    console.info("progress s3cr3t-key")
    assert "s3cr3t-key" not in out.getvalue() + err.getvalue()
    assert MASK in out.getvalue()


def test_logging_filter_masks_args_and_tracebacks(secrets) -> None:
    register_secret("p4ssw0rd")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("vrtest.test.masking")
    logger.addHandler(handler)
    try:
        logger.warning("login with %s", "p4ssw0rd")
        try:
            raise RuntimeError("failed with p4ssw0rd")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    assert "p4ssw0rd" not in stream.getvalue()
    assert stream.getvalue().count(MASK) >= 2


def test_no_color_disables_colour() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert Console(Tty(), Tty(), environ={}).colour
    assert not Console(Tty(), Tty(), environ={"NO_COLOR": "1"}).colour


def test_json_and_html_escaped_forms_are_masked_too(secrets) -> None:
    register_secret('pw"<x>&\\y')
    assert mask('{"p": "pw\\"<x>&\\\\y"}') == f'{{"p": "{MASK}"}}'
    assert mask("<td>pw&quot;&lt;x&gt;&amp;\\y</td>") == f"<td>{MASK}</td>"
