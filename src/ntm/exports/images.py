"""Plotly figures as PNG through kaleido and Debian's chromium: one browser per process, bounded.

- **One browser per process.** Starting chromium costs ~2 s; a figure then takes ~0.2-0.4 s.
  The first image starts a kaleido browser on a background thread with its own event loop and
  keeps it for the life of the process (the app shares it between sessions; `shutdown()` stops
  it, and it is stopped at exit).
- **Never hangs.** `kaleido.start_sync_server()` would also keep one browser, but its calls wait
  on a queue with no time limit: if chromium fails to start, the server thread dies and every
  call then blocks forever. Here every step has a deadline: starting the browser
  (`NTM_IMAGE_START_TIMEOUT`, default 60 s) and each image (`NTM_IMAGE_TIMEOUT`, default 30 s).
  On a timeout or a browser failure the browser is killed and `ImageRenderError` says what
  happened and what to do (install Debian's `chromium`: `make system-deps`); the next image
  starts a fresh browser. No download happens at run time (MathJax is off, plotly.js comes
  from the installed plotly package).
- **The browser** is the one kaleido/choreographer finds (`/usr/bin/chromium` on Debian);
  `BROWSER_PATH` points it elsewhere.
- **Explicit template.** `import streamlit` changes plotly's default template (black bars in
  exported images), so every figure is given `ntm.charts.TEMPLATE` before it is drawn.
- **The footnote** (e.g. "thresholds not yet checked against the decision") is drawn under the
  chart in the same image, by Pillow with the same Noto Sans font, so it can never overlap the
  plot whatever the chart's own margins are. Title, unit, data source and "Số liệu đến ngày …"
  are drawn by the chart builders themselves (`ntm.charts`).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import io
import os
import signal
import textwrap
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any, TypeVar

import plotly.graph_objects as go

from ntm import charts
from ntm.exports.fonts import find_font

if TYPE_CHECKING:
    from ntm.exports.report import Report

T = TypeVar("T")

WIDTH, HEIGHT = 1920, 1080  # full HD, for screens and slides
PRINT_SCALE = 2  # 3840 × 2160 for print

START_TIMEOUT_ENV = "NTM_IMAGE_START_TIMEOUT"
IMAGE_TIMEOUT_ENV = "NTM_IMAGE_TIMEOUT"
DEFAULT_START_TIMEOUT = 60.0
DEFAULT_IMAGE_TIMEOUT = 30.0

HINT = (
    "Cần trình duyệt Chromium để vẽ ảnh biểu đồ: chạy `make system-deps` "
    "(Debian: apt-get install chromium) hoặc đặt BROWSER_PATH tới chromium. "
    "Chromium is needed to draw chart images: run `make system-deps` "
    "(Debian: apt-get install chromium) or set BROWSER_PATH."
)


class ImageRenderError(RuntimeError):
    """A chart image could not be drawn (no browser, the browser failed, or it took too long)."""


def _seconds(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, default))
    except ValueError:
        return default
    return value if value > 0 else default


class _Renderer:
    """One kaleido browser on a private event-loop thread; every call has a deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None

    # --- the event loop ------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._thread is None or not self._thread.is_alive():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="ntm-kaleido", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float, what: str) -> T:
        loop = self._ensure_loop()
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            self._kill()
            raise ImageRenderError(
                f"{what}: quá {timeout:g} giây (timed out after {timeout:g} s). {HINT}"
            ) from None

    # --- the browser -----------------------------------------------------------------------
    def _start(self, timeout: float) -> Any:
        import kaleido

        async def open_browser() -> Any:
            k = kaleido.Kaleido(
                n=1, timeout=_seconds(IMAGE_TIMEOUT_ENV, DEFAULT_IMAGE_TIMEOUT), mathjax=False
            )
            self._kaleido = k  # kept before open() so that a hung start can be killed
            await k.open()
            return k

        try:
            return self._run(open_browser(), timeout, "Không khởi động được Chromium")
        except ImageRenderError:
            raise
        except Exception as exc:  # ChromeNotFoundError, BrowserFailedError, OSError …
            self._kill()
            raise ImageRenderError(
                f"Không khởi động được Chromium (could not start the browser): "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}. {HINT}"
            ) from exc

    def browser(self, timeout: float) -> Any:
        with self._lock:
            if self._kaleido is None:
                self._kaleido = self._start(timeout)
            return self._kaleido

    def _kill(self, *, graceful: bool = False) -> None:
        """Stop the browser however it is (hung, half-started, dead); never raises.

        After a failure the process group is killed at once (chromium runs in a session of its
        own), then kaleido is given two seconds to tidy up; `graceful` (at shutdown) first asks
        the browser to close, for up to eight seconds."""
        k, self._kaleido = self._kaleido, None
        if k is None:
            return
        loop = self._loop
        alive = loop is not None and self._thread is not None and self._thread.is_alive()
        if graceful and alive and loop is not None:
            try:
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(8)
                return
            except Exception:  # a hard kill below
                pass
        process = getattr(k, "subprocess", None)
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                with contextlib.suppress(OSError):
                    process.kill()
            with contextlib.suppress(Exception):
                process.wait(2)
        if not graceful and alive and loop is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(2)

    def shutdown(self) -> None:
        with self._lock:
            self._kill(graceful=True)
            loop, self._loop, self._thread = self._loop, None, None
            if loop is not None:
                loop.call_soon_threadsafe(loop.stop)

    # --- images ----------------------------------------------------------------------------
    def render(self, spec: dict[str, Any], opts: dict[str, Any], timeout: float) -> bytes:
        k = self.browser(_seconds(START_TIMEOUT_ENV, DEFAULT_START_TIMEOUT))
        try:
            data = self._run(k.calc_fig(spec, opts=opts), timeout, "Vẽ ảnh biểu đồ")
        except ImageRenderError:
            raise
        except Exception as exc:
            with self._lock:
                self._kill()
            raise ImageRenderError(
                f"Không vẽ được ảnh biểu đồ (could not draw the chart image): "
                f"{type(exc).__name__}: {exc}. {HINT}"
            ) from exc
        if not isinstance(data, bytes | bytearray) or not data:
            raise ImageRenderError("Chromium trả về ảnh rỗng (the browser returned no image).")
        return bytes(data)


_RENDERER = _Renderer()
atexit.register(_RENDERER.shutdown)


def shutdown() -> None:
    """Stop the browser (a new one starts with the next image)."""
    _RENDERER.shutdown()


def export_figure(fig: go.Figure, width: int, height: int) -> go.Figure:
    """A copy of `fig` ready to draw: explicit template, exact size, no interactive chrome."""
    out = go.Figure(fig)
    out.update_layout(template=charts.TEMPLATE, width=width, height=height, autosize=False)
    return out


def untitled(fig: go.Figure, *, cell_font: int = 16) -> go.Figure:
    """The chart without its own title block, for a slide or page whose heading and footer say
    the same; village names slanted when many share the axis; grid cells in a size that fits."""
    out = go.Figure(fig)
    out.update_layout(title={"text": "", "subtitle": {"text": ""}})
    legend_on_top = out.layout.legend.y is None or out.layout.legend.y > 0.5
    out.update_layout(margin={"t": 80 if legend_on_top else 60, "l": 20})
    categories = {x for trace in out.data if trace.type == "bar" for x in (trace.x or ())}
    if len(categories) > 5:
        out.update_xaxes(tickangle=-35)
        # One size for every value on the bars (plotly otherwise shrinks each to its bar).
        out.update_layout(uniformtext={"minsize": 14, "mode": "show"})
        out.update_traces(textfont={"size": 14}, selector={"type": "bar"})
    out.update_traces(textfont={"size": cell_font}, selector={"type": "heatmap"})
    return out


def figure_png(
    fig: go.Figure,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    scale: float = 1,
    footnote: str = "",
    timeout: float | None = None,
) -> bytes:
    """`fig` as PNG bytes of `width × height` CSS pixels times `scale`.

    With a `footnote`, the chart takes the top of the image and the footnote is written under
    it, inside the same `width × height`. Raises `ImageRenderError` when the image cannot be
    drawn within `timeout` seconds (default `NTM_IMAGE_TIMEOUT`, 30 s).
    """
    limit = timeout if timeout is not None else _seconds(IMAGE_TIMEOUT_ENV, DEFAULT_IMAGE_TIMEOUT)
    lines = _wrap(footnote, width) if footnote else []
    band = _band_height(len(lines), width) if lines else 0
    chart = export_figure(fig, width, height - band)
    opts = {"format": "png", "width": width, "height": height - band, "scale": scale}
    data = _RENDERER.render(chart.to_dict(), opts, limit)
    if not lines:
        return data
    return _add_footnote(data, lines, width, height, band, scale)


# --- the footnote band -------------------------------------------------------------------


def _font_px(width: int) -> int:
    return max(14, round(width / 90))  # 21 px at 1920


def _wrap(text: str, width: int) -> list[str]:
    chars = max(40, int(width / (_font_px(width) * 0.52)))
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines.extend(textwrap.wrap(paragraph, chars) or [""])
    return lines


def _band_height(n_lines: int, width: int) -> int:
    return int(n_lines * _font_px(width) * 1.35 + _font_px(width) * 1.2)


def _add_footnote(
    data: bytes, lines: list[str], width: int, height: int, band: int, scale: float
) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    chart = Image.open(io.BytesIO(data)).convert("RGB")
    canvas = Image.new("RGB", (round(width * scale), round(height * scale)), "white")
    canvas.paste(chart, (0, 0))
    draw = ImageDraw.Draw(canvas)
    size = round(_font_px(width) * scale)
    font = ImageFont.truetype(str(find_font().regular), size)
    top = round((height - band) * scale)
    draw.line(
        [(round(20 * scale), top), (canvas.width - round(20 * scale), top)],
        fill=(208, 215, 222),
        width=max(1, round(scale)),
    )
    y = top + round(_font_px(width) * 0.5 * scale)
    for line in lines:
        draw.text((round(24 * scale), y), line, font=font, fill=(87, 96, 106))
        y += round(size * 1.35)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=False)
    return out.getvalue()


# --- every chart of a report -------------------------------------------------------------


def chart_images(report: Report, *, print_copy: bool = True) -> list[tuple[str, bytes]]:
    """(file name, PNG) of every chart of `report` at 1920 × 1080, and at scale 2 for print
    ("…@2x.png") when `print_copy`. Each image carries its title, unit, source, data date and
    the unverified-threshold footnote."""
    out: list[tuple[str, bytes]] = []
    for item in report.figures(large=True):
        out.append((f"{item.key}.png", figure_png(item.figure, footnote=report.footnote)))
        if print_copy:
            out.append(
                (
                    f"{item.key}@2x.png",
                    figure_png(item.figure, footnote=report.footnote, scale=PRINT_SCALE),
                )
            )
    return out
