"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
no websocket library, no port. Opens a local page with the network cut, records every
request the page makes and every console error, and takes screenshots.

Messages are JSON objects terminated by a NUL byte; the browser reads fd 3 and writes fd 4.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

TILE = 8000  # px per screenshot (Chromium caps one capture near 16k px)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    url: str
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    console_errors: list[str] = field(default_factory=list)
    screenshots: dict[str, bytes] = field(default_factory=dict)  # the first tile per scheme
    tiles: dict[str, list[bytes]] = field(default_factory=dict)  # the whole page, top to bottom

    def outgoing(self) -> list[str]:
        """Requests that would leave the page's own file: anything but itself and data:."""
        return [u for u in self.requests if u != self.url and not u.startswith(("data:", "about:"))]


class Chromium:
    def __init__(self, binary: str, *, timeout: float = 30.0):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="auditor-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        # The child reads commands on fd 3 and writes replies on fd 4.
        def _child_fds() -> None:
            # Move both ends above 4 first, so neither dup2 clobbers the other.
            r, w = (
                fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10),
                fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10),
            )
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--disable-default-apps", "--no-first-run", "--mute-audio",
             "--disable-features=Translate,MediaRouter,OptimizationHints",
             "--remote-debugging-pipe", f"--user-data-dir={self._profile}", "about:blank"],
            close_fds=False, preexec_fn=_child_fds,  # pipes are non-inheritable (PEP 446)
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict] = []

    # --- protocol ---------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.events.append(self._read_message(deadline))
            except TimeoutError:
                return

    def wait_event(self, method: str, seconds: float) -> dict:
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        deadline = time.monotonic() + seconds
        while True:
            ev = self._read_message(deadline)
            self.events.append(ev)
            if ev.get("method") == method:
                return ev

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- one page ---------------------------------------------------------------------------
    def open_offline(
        self, path: Path, *, schemes: tuple[str, ...] = ("light", "dark", "print"),
        width: int = 1200, settle: float = 0.5,
    ) -> PageReport:  # fmt: skip
        """Load ``path`` with the network cut; return its requests, console errors and
        full-page PNG screenshots (one per scheme: light, dark, print)."""
        url = Path(path).resolve().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Network.emulateNetworkConditions",
                  {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
                  session=session)  # fmt: skip
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                  session=session)  # fmt: skip
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", self.timeout)
        self.pump(settle)
        report = PageReport(url=url)
        shots: dict[str, bytes] = {}
        for scheme in schemes:
            media = "print" if scheme == "print" else "screen"
            colour = "light" if scheme == "print" else scheme
            self.send("Emulation.setEmulatedMedia",
                      {"media": media,
                       "features": [{"name": "prefers-color-scheme", "value": colour}]},
                      session=session)  # fmt: skip
            metrics = self.send("Page.getLayoutMetrics", session=session)
            total = int(metrics["cssContentSize"]["height"])
            tiles = []
            for top in range(0, max(total, 1), TILE):
                height = min(TILE, total - top)
                shot = self.send("Page.captureScreenshot",
                                 {"format": "png", "captureBeyondViewport": True,
                                  "clip": {"x": 0, "y": top, "width": width, "height": height,
                                           "scale": 1}},
                                 session=session)  # fmt: skip
                tiles.append(base64.b64decode(shot["data"]))
            shots[scheme] = tiles[0]
            report.tiles[scheme] = tiles
        self.pump(0.2)
        for ev in self.events:
            if ev.get("sessionId") not in (None, session):
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Network.requestWillBeSent":
                report.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                report.console_errors.append(
                    " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                )
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                report.console_errors.append(
                    details.get("exception", {}).get("description") or details.get("text", "")
                )
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                report.console_errors.append(params["entry"]["text"])
        report.screenshots = shots
        self.send("Target.closeTarget", {"targetId": target})
        return report

    def evaluate(self, path: Path, expression: str, *, width: int = 1200,
                 media: str = "screen") -> object:  # fmt: skip
        """The value of the script ``expression`` on ``path``'s page in a ``width`` px window
        (``media``: screen or print), every ``<details>`` opened first."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Page.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                  session=session)  # fmt: skip
        self.send("Emulation.setEmulatedMedia", {"media": media}, session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
        self.wait_event("Page.loadEventFired", self.timeout)
        script = f"document.querySelectorAll('details').forEach(d => d.open = true); {expression}"
        out = self.send("Runtime.evaluate", {"expression": script, "returnByValue": True},
                        session=session)  # fmt: skip
        self.send("Target.closeTarget", {"targetId": target})
        return out["result"].get("value")

    def overflow(self, path: Path, *, width: int = 1200) -> int:
        """How many px ``path``'s page is wider than a ``width`` px window with every
        ``<details>`` open (0: nothing sticks out past the page's right edge; a table wider
        than the page scrolls in its own region)."""
        script = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        return int(self.evaluate(path, script, width=width))
