"""matrix.html in a real headless Chromium: the DOM has the grid, the screenshot shows it."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.history_runs import night, write_run
from vrtest.console import Console
from vrtest.history.importer import load_run
from vrtest.history.sqlite import SqliteHistoryStore
from vrtest.matrix.cells import Cell
from vrtest.matrix.execute import run_cells
from vrtest.matrix.plan import load_matrix
from vrtest.matrix.render import write_reports
from vrtest.matrix.report import collect

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSED_RGB = (0xDA, 0xFB, 0xE1)
FAILED_RGB = (0xFF, 0xD8, 0xD3)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run headless Chromium with a throwaway profile and no network use of its own."""
    assert CHROMIUM is not None
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(argv, capture_output=True, timeout=120, check=True)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG into rows of raw pixel bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 4 if colour == 6 else 3
    raw, stride, rows, previous = zlib.decompress(idat), width * bpp, [], bytes(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, corner = previous[x], previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        previous = bytes(line)
    return width, bpp, rows


def count_colour(rows: list[bytes], bpp: int, rgb: tuple[int, int, int]) -> int:
    """Pixels of exactly ``rgb``."""
    target = bytes(rgb)
    return sum(1 for row in rows for i in range(0, len(row), bpp) if row[i:i + 3] == target)


@pytest.fixture
def matrix_page(tmp_path: Path) -> Path:
    """matrix.html for the lab plan: local-vpc red, the others green, three nights of trend."""
    spec = load_matrix(REPO / "suites" / "matrix.yaml")
    cells = [Cell(f"local-{k}", "lab", "local", "local-zone", k, spec.kinds[k].title, (),
                  spec.kinds[k].checks, "vpc" in k, "redundant" in k)
             for k in ("isolated", "isolated-redundant", "vpc")]
    store = SqliteHistoryStore(tmp_path / "h.sqlite")
    for day in (23, 24, 25):
        for c in cells:
            past = write_run(tmp_path / "past" / f"{c.id}-{day}", {"checks::default-route":
                             "failed" if day == 24 else "passed"}, env="local",
                             started=night(day), cell=c.id, plan="lab")
            store.import_run(load_run(past).record)

    def execute(c: Cell, directory: Path) -> int:
        outcome = "failed" if c.kind == "vpc" else "passed"
        write_run(directory, {"checks::default-route[<b>r-6-VM</b>]": outcome,
                              "checks::services": "passed"}, env="local", started=night(26))
        return 0

    out = tmp_path / "matrix"
    run_cells(cells, out, execute, Console(io.StringIO(), io.StringIO()))
    write_reports(collect(spec, spec.plans["lab"], cells, out, store=store), out)
    store.close()
    return out / "matrix.html"


def test_dump_dom_shows_the_grid(tmp_path: Path, matrix_page: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", matrix_page.as_uri()).stdout.decode()
    assert '<table class="grid" id="matrix">' in dom
    assert 'id="cell-local-vpc" data-kind="vpc" data-status="failed"' in dom
    assert 'id="cell-local-isolated" data-kind="isolated" data-status="passed"' in dom
    assert dom.count('class="trend"') == 3
    assert "&lt;b&gt;r-6-VM&lt;/b&gt;" in dom and "<b>r-6-VM</b>" not in dom
    assert '<a href="local-vpc/results.jsonl">report</a>' in dom


def test_screenshot_shows_one_red_and_two_green_cells(tmp_path: Path, matrix_page: Path) -> None:
    shot = tmp_path / "matrix.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1100,700", matrix_page.as_uri())
    data = shot.read_bytes()
    assert len(data) > 10_000  # a real rendering, not a blank page
    width, bpp, rows = png_pixels(data)
    assert (width, len(rows)) == (1100, 700)
    red = count_colour(rows, bpp, FAILED_RGB)
    green = count_colour(rows, bpp, PASSED_RGB)
    assert red > 3000  # one failed cell's background
    assert green > 2 * 3000 and green > 1.5 * red  # two passed cells (legend swatches are small)
