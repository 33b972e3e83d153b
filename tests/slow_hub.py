"""A Hugging Face hub served over HTTP on 127.0.0.1 from folders laid out like its repos, for a vcam in a process of
its own (HF_ENDPOINT pointed here): huggingface_hub downloads from it as from the hub, with its own threads and
partial files. One file can be made to crawl after its first bytes, as a transfer of tens of GB goes on for minutes."""
from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

COMMIT = "c0ffee" * 6 + "c0ff"  # 40 hex digits: a commit hash
FIRST_BYTES = 64 * 1024  # what a stalled file sends before it stalls


class SlowHub:
    """The hub serving `repos` (repo id -> folder). While `stall` names a file (repo id, path in it), a download of
    it sends FIRST_BYTES and then a byte a second until `released` is set or the hub is closed."""

    def __init__(self, repos: dict[str, Path]):
        self.files = {repo: {str(f.relative_to(root)): f.read_bytes() for f in sorted(root.rglob("*")) if f.is_file()}
                      for repo, root in repos.items()}
        self.stall: tuple[str, str] | None = None
        self.released = threading.Event()
        self.paths_info_silent = False  # a hub that never answers a paths-info POST (until closed)
        self.closed = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="slow-hub", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.closed.set()
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=60)

    def blob(self, repo: str, path: str) -> str:
        """The name huggingface_hub gives the file in its cache's blobs folder (its ETag)."""
        return hashlib.sha256(self.files[repo][path]).hexdigest()


def _handler(hub: SlowHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # the test's output stays the test's
            pass

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_POST(self) -> None:  # paths-info: which blob each file is, as the hub says it of an LFS file
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
            if hub.paths_info_silent:  # the request taken, no answer: a stalled proxy or an overloaded hub
                hub.closed.wait()
                self.close_connection = True
                return
            path = unquote(urlsplit(self.path).path)
            repo = next((r for r in hub.files if path.startswith(f"/api/models/{r}/paths-info/")), None)
            files = hub.files.get(repo, {})
            self._json([{"type": "file", "path": name, "size": len(files[name]),
                         "oid": hashlib.sha1(files[name]).hexdigest(),
                         "lfs": {"oid": hub.blob(repo, name), "size": len(files[name]), "pointerSize": 134}}
                        for name in form.get("paths", []) if name in files])

        def _answer(self, body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            for repo, files in hub.files.items():
                if path.startswith(f"/api/models/{repo}/revision/"):
                    return self._json({"id": repo, "sha": COMMIT, "siblings": []})
                if path.startswith(f"/api/models/{repo}/tree/"):
                    return self._json([{"type": "file", "path": name, "size": len(data),
                                        "oid": hashlib.sha1(data).hexdigest(),
                                        "lfs": {"oid": hub.blob(repo, name), "size": len(data), "pointerSize": 134}}
                                       for name, data in files.items()])
                prefix = f"/{repo}/resolve/"
                if path.startswith(prefix):
                    name = path[len(prefix):].partition("/")[2]
                    if name in files:
                        return self._file(repo, name, files[name], body)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _json(self, value) -> None:
            data = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _file(self, repo: str, name: str, data: bytes, body: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", f'"{hub.blob(repo, name)}"')
            self.send_header("X-Repo-Commit", COMMIT)
            self.end_headers()
            if not body:
                return
            try:
                if hub.stall == (repo, name) and not hub.released.is_set():
                    data = self._trickle(data)
                self.wfile.write(data)
            except OSError:  # the downloader left
                pass

        def _trickle(self, data: bytes) -> bytes:
            """FIRST_BYTES, then a byte a second until released (never silent long enough for the downloader's
            read timeout to give up on it: a transfer that takes for ever); what is left to send."""
            sent = FIRST_BYTES
            self.wfile.write(data[:sent])
            self.wfile.flush()
            while not hub.released.wait(1.0) and sent < len(data) - 1:
                self.wfile.write(data[sent:sent + 1])
                self.wfile.flush()
                sent += 1
            return data[sent:]

    return Handler
