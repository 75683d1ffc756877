"""Page-quality benchmark: Lighthouse on a freshly built site, served locally as a static host would.

    cd benchmarks && npm install          # once: Lighthouse 12 into benchmarks/node_modules
    python benchmarks/lighthouse.py       # build, serve, measure three pages, print a table

It builds the site (``mkdocs build --strict``, with ``SITE_URL`` set to the local server so that
canonical URLs, the sitemap and instant navigation point where the pages are), serves it on
127.0.0.1 with gzip for text files (as GitHub Pages does; ``--no-gzip`` to see raw sizes), and runs
Lighthouse (its default: a mid-range phone on a throttled 4G connection, simulated) on an exercise
page, a formula page and a notebook page. For each it prints performance, accessibility and best
practices (0-100), the bytes transferred and the cumulative layout shift (CLS), and the time to the
largest contentful paint. ``--runs N`` takes the median of N runs per page; ``--json FILE`` writes
every figure. This is a measurement, not a test: nothing fails, and the figures belong in
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = Path(__file__).resolve().parent / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "exercise": "exercises/seminar5/ex1/",
    "formula": "formulas/output-size/",
    "notebook": "notebooks/seminar5/",
}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serves files like a static host: gzip for text when the browser accepts it, a 404 page."""

    gzip_text = True

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # redirects to the URL with a slash
            path = path / "index.html"
        accepts = self.gzip_text and "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file():
            missing = Path(self.directory) / "404.html"
            self.send_response(404)
            return self._send(missing.read_bytes() if missing.is_file() else b"not found", "text/html", accepts)
        kind = self.guess_type(str(path))
        self.send_response(200)
        return self._send(path.read_bytes(), kind, accepts and kind.startswith(TEXT_TYPES))

    def _send(self, body: bytes, kind: str, compress: bool) -> io.BytesIO:
        if compress:
            body = gzip.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def serve(site: Path, gzip_text: bool) -> tuple[socketserver.TCPServer, str]:
    handler = functools.partial(type("Host", (StaticHost,), {"gzip_text": gzip_text}), directory=str(site))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def build(site: Path, url: str) -> None:
    env = {**os.environ, "SITE_URL": url, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"mkdocs build failed:\n{done.stdout}{done.stderr}")


def lighthouse(url: str, preset: str | None) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=performance,accessibility,best-practices",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
    ]
    if preset:
        command.append(f"--preset={preset}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    audits, categories = report["audits"], report["categories"]
    return {
        "performance": round(100 * categories["performance"]["score"]),
        "accessibility": round(100 * categories["accessibility"]["score"]),
        "best_practices": round(100 * categories["best-practices"]["score"]),
        "bytes": int(audits["total-byte-weight"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "failed": sorted(
            f"{key} ({audit['score']})"
            for category in ("performance", "accessibility", "best-practices")
            for ref in categories[category]["auditRefs"]
            if ref["weight"] > 0 and (audit := audits[ref["id"]])["score"] is not None and audit["score"] < 0.9
            for key in [ref["id"]]
        ),
    }


def median_run(url: str, runs: int, preset: str | None) -> dict:
    results = [lighthouse(url, preset) for _ in range(runs)]
    merged = {key: statistics.median(r[key] for r in results) for key in results[0] if key != "failed"}
    merged["failed"] = results[len(results) // 2]["failed"]
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is reported")
    parser.add_argument("--preset", choices=["desktop"], help="Lighthouse preset (default: mobile)")
    parser.add_argument("--no-gzip", action="store_true", help="serve without compression")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("pages", nargs="*", help=f"page=path pairs (default: {PAGES})")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm install` in benchmarks/ (Node 20: Lighthouse 12)")
    pages = dict(p.split("=", 1) for p in args.pages) if args.pages else PAGES
    scratch = Path(tempfile.mkdtemp(prefix="lighthouse-site-"))
    site = args.site or scratch / "site"
    server, url = serve(site, gzip_text=not args.no_gzip)
    try:
        if args.site is None:
            build(site, url)
        results = {name: median_run(url + path, args.runs, args.preset) for name, path in pages.items()}
    finally:
        server.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"Lighthouse ({args.preset or 'mobile'}, {'gzip' if not args.no_gzip else 'no compression'}, "
        f"median of {args.runs}):"
    )
    print(f"{'page':<10} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'bytes':>9} {'CLS':>7} {'LCP ms':>7} {'TBT ms':>7}")
    for name, r in results.items():
        print(
            f"{name:<10} {r['performance']:>5.0f} {r['accessibility']:>5.0f} {r['best_practices']:>5.0f} "
            f"{r['bytes']:>9,.0f} {r['cls']:>7.3f} {r['lcp_ms']:>7.0f} {r['tbt_ms']:>7.0f}"
        )
        if r["failed"]:
            print(f"{'':<10} below 0.9: {', '.join(r['failed'])}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
