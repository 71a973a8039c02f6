"""Show cards the way Anki's desktop reviewer does, in a real headless Chromium.

Anki's reviewer page is `reviewer.css` + the note type's CSS + Anki's MathJax config and the
MathJax it vendors, with the card on `<body class="card card1">` (plus `nightMode night_mode` at
night) in `<div id="qa">`; MathJax is told to typeset `#qa` once it has started (Anki's config sets
`startup.typeset: false`). Those assets ship inside the `aqt` wheel, under `_aqt/data/web/`, and
Anki serves them at `/_anki/` (its MathJax config loads fonts and extensions from
`/_anki/js/vendor/mathjax`). So this module:

- `reviewer_assets()` fetches them once from the `aqt` wheel that matches the installed `anki`
  (`pip download --no-deps`) into `.cache/aqt/<version>/`;
- `ReviewerServer` serves them at `/_anki/`, card pages from memory and images from the
  collection's media folder, on 127.0.0.1 only;
- `reviewer_page()` builds one card's page;
- `launch_chromium()` starts Debian's Chromium through Playwright with a fresh profile, and
  `block_network()` aborts every request that is not to that server (and records it, so a test
  fails when a card tries to load anything from the network).

Run `python tests/reviewer.py` to rewrite the screenshots in docs/screenshots/.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "aqt"
WEB = "_aqt/data/web/"
#: What the reviewer needs from the wheel: its CSS, Anki's MathJax config, MathJax itself.
ASSET_FILES = (WEB + "css/reviewer.css", WEB + "js/mathjax.js")
ASSET_FOLDERS = (WEB + "js/vendor/mathjax/",)
MATHJAX = "js/vendor/mathjax/tex-chtml-full.js"
COMPLETE = ".complete"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ReviewerSetupError(RuntimeError):
    """Chromium or Anki's reviewer assets are missing and could not be fetched."""


#: JavaScript for the pages' contrast checks (WCAG's): `parse` a computed CSS color into
#: [r, g, b, a], composite one color `over` another, and the contrast `ratio` of two colors.
COLOR_MATH = """
  const parse = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
"""


def anki_version() -> str:
    return importlib.metadata.version("anki")


def _wanted(name: str) -> bool:
    return name in ASSET_FILES or (
        name.startswith(ASSET_FOLDERS) and not name.endswith("/") and ".." not in name
    )


def reviewer_assets(cache: Path = CACHE) -> Path:
    """The folder Anki serves at `/_anki/` (reviewer.css, mathjax.js, vendor/mathjax/...).

    Taken from the `aqt` wheel of the installed anki version, downloaded once and cached.
    """
    version = anki_version()
    target = cache / version
    web = target / WEB
    if (target / COMPLETE).is_file():
        return web
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".download-") as temp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            f"aqt=={version}",
            "-d",
            temp,
        ]
        completed = subprocess.run(command, capture_output=True, text=True)
        wheels = list(Path(temp).glob("aqt-*.whl"))
        if completed.returncode != 0 or len(wheels) != 1:
            raise ReviewerSetupError(
                f"could not download Anki's reviewer assets (aqt=={version}) with "
                f"`{' '.join(command[2:])}`:\n{completed.stderr.strip() or completed.stdout}"
            )
        staging = Path(temp) / "assets"
        with zipfile.ZipFile(wheels[0]) as wheel:
            members = [name for name in wheel.namelist() if _wanted(name)]
            wheel.extractall(staging, members)
        missing = [name for name in (*ASSET_FILES, WEB + MATHJAX) if not (staging / name).is_file()]
        if missing:
            raise ReviewerSetupError(f"aqt=={version} wheel lacks {', '.join(missing)}")
        (staging / COMPLETE).write_text(f"aqt=={version}\n", encoding="utf-8")
        if target.exists():  # an interrupted earlier attempt
            shutil.rmtree(target)
        staging.rename(target)
    return web


def find_chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    raise ReviewerSetupError(
        "Chromium not found: the card rendering tests need Debian's `chromium` package "
        "(`apt-get install chromium`; .ci/run installs it). Playwright's own browser download "
        "is not used."
    )


def reviewer_page(answer_html: str, css: str, night: bool) -> str:
    """One card's answer side, laid out as Anki's desktop reviewer shows it."""
    body_class = "card card1" + (" nightMode night_mode" if night else "")
    return f"""<!doctype html>
<html class="{"night-mode" if night else ""}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/_anki/css/reviewer.css">
<style>{css}</style>
<script src="/_anki/js/mathjax.js"></script>
<script src="/_anki/{MATHJAX}"></script>
</head>
<body class="{body_class}">
<div id="_mark" hidden>&#x2605;</div>
<div id="_flag" hidden>&#x2691;</div>
<div id="qa" dir="auto">{answer_html}</div>
<script>
// What Anki's reviewer.js does after putting a card into #qa.
window.cardTypeset = MathJax.startup.promise
  .then(() => (MathJax.typesetClear(), MathJax.typesetPromise([document.getElementById("qa")])))
  .then(() => document.fonts.ready)
  .then(() => true);
</script>
</body>
</html>
"""


@dataclass
class ReviewerServer:
    """A loopback HTTP server laid out like Anki's: `/_anki/...` from the aqt assets, card pages
    from memory at the top level, and other top-level names from the collection's media folder
    (Anki serves a card's images beside it)."""

    assets: Path
    media: Path | None = None
    pages: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    origin: str = ""

    def add(self, name: str, page: str) -> str:
        """Serve `page` as /<name> (a plain file name); returns its URL."""
        self.pages[name] = page
        return f"{self.origin}/{name}"

    @contextmanager
    def running(self) -> Iterator[ReviewerServer]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
                body, kind = owner._lookup(path)
                if body is None:
                    if path != "/favicon.ico":  # Chromium asks for one on its own
                        owner.missing.append(path)
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                # Pages change under the same name; Anki's assets never do.
                cache = "no-store" if kind.startswith("text/html") else "max-age=3600"
                self.send_header("Cache-Control", cache)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _lookup(self, path: str) -> tuple[bytes | None, str]:
        relative = PurePosixPath(path.lstrip("/"))
        if ".." in relative.parts or not relative.parts:
            return None, ""
        if str(relative) in self.pages:
            return self.pages[str(relative)].encode(), "text/html; charset=utf-8"
        if relative.parts[0] == "_anki":
            file = self.assets.joinpath(*relative.parts[1:])
        elif self.media is not None and len(relative.parts) == 1:
            file = self.media / relative.name
        else:
            return None, ""
        if file.is_file():
            return file.read_bytes(), _content_type(file.suffix)
        return None, ""


def _content_type(suffix: str) -> str:
    return {
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".svg": "image/svg+xml",
        ".webp": "image/webp",
    }.get(suffix, "application/octet-stream")


def launch_chromium(playwright: Any, user_data_dir: Path) -> Any:
    """Debian's Chromium, headless, with a fresh profile. Returns a browser context."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=find_chromium(),
        headless=True,
        args=CHROMIUM_ARGS,
        service_workers="block",
    )


def block_network(context: Any, origin: str) -> list[str]:
    """Abort every request that is not file:// or to `origin`; return the list they go into."""
    blocked: list[str] = []

    def allowed(url: str) -> bool:
        return url.startswith((origin + "/", "file:", "data:", "blob:", "about:"))

    def note(url: str) -> None:
        if url not in blocked:
            blocked.append(url)

    def route(route: Any) -> None:
        if allowed(route.request.url):
            route.continue_()
        else:
            note(route.request.url)
            route.abort("blockedbyclient")

    def seen(request: Any) -> None:  # a second net, for requests that bypass routing
        if not allowed(request.url):
            note(request.url)

    context.route("**/*", route)
    context.on("request", seen)
    context.on("page", lambda page: page.on("websocket", lambda socket: note(socket.url)))
    return blocked


# Screenshots for docs/: `python tests/reviewer.py`.

SHOTS = [
    # file name, viewport, night, the note shown (words of its question), what it shows (a CSS
    # selector: the shot starts at the top, or around that when it is further down)
    ("phone-light-code.png", (360, 740), False, "how to use feed and fetch", "pre"),
    ("phone-night-math.png", (360, 740), True, "what does lora stand for", "mjx-container"),
    ("desktop-light-table.png", (1280, 800), False, "perform constant folding", "table"),
]


def screenshot(page: Any, url: str, path: Path, max_height: int, focus: str = "") -> None:
    """Show the page at `url` until MathJax is done and save `max_height` pixels of it: from the
    top when every `focus` element fits there, else from the start of a heading, paragraph or
    list item a little above the first one."""
    page.goto(url)
    page.evaluate("window.cardTypeset")
    size = page.viewport_size
    height, y = page.evaluate(
        """([focus, maxHeight]) => {
          const height = document.documentElement.scrollHeight;
          const boxes = [...(focus ? document.querySelectorAll(focus) : [])]
            .map((element) => element.getBoundingClientRect());
          if (!boxes.length || Math.max(...boxes.map((box) => box.bottom)) <= maxHeight) {
            return [height, 0];
          }
          const ideal = Math.min(...boxes.map((box) => box.top)) - maxHeight / 8;
          const blocks = ".answer :is(h1, h2, h3, h4, p, li, pre, hr)";
          const starts = [...document.querySelectorAll(blocks)]
            .map((element) => element.getBoundingClientRect().top - 8)
            .filter((top) => top <= ideal);
          return [height, Math.max(0, Math.min(Math.max(...starts, 0), height - maxHeight))];
        }""",
        [focus, max_height],
    )
    clip = {"x": 0, "y": y, "width": size["width"], "height": min(height - y, max_height)}
    page.screenshot(path=str(path), clip=clip, full_page=True)


def save_screenshots(
    shots: list = SHOTS, folder: Path = ROOT / "docs" / "screenshots"
) -> list[Path]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from test_cards_in_browser import seed_cards

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        cards = seed_cards(Path(temp))
        server = ReviewerServer(reviewer_assets())
        written = []
        with server.running(), sync_playwright() as playwright:
            context = launch_chromium(playwright, Path(temp) / "profile")
            blocked = block_network(context, server.origin)
            page = context.new_page()
            for name, (width, height), night, question, focus in shots:
                (card,) = [card for card in cards if question in card.question]
                page.set_viewport_size({"width": width, "height": height})
                url = server.add(name + ".html", reviewer_page(card.html, card.css, night))
                screenshot(page, url, folder / name, max_height=2 * height, focus=focus)
                written.append(folder / name)
            context.close()
        if blocked or server.missing:
            raise ReviewerSetupError(f"network loads {blocked}, missing {server.missing}")
    return written


if __name__ == "__main__":
    for path in save_screenshots():
        print(f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")
