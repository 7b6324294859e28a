"""A partner's webhook receiver: a real HTTP server on 127.0.0.1, in a thread, that records what it is sent.

Each request gets the next answer from `answers` (a status code, or HANG to accept the request and never
answer until the server is closed); 200 once they run out."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG = "hang"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class PartnerServer:
    def __init__(self, answers: list[int | str] | None = None) -> None:
        self.received: list[Received] = []
        self.answers: list[int | str] = list(answers or [])
        self.closing = threading.Event()
        self._lock = threading.Lock()
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with partner._lock:
                    partner.received.append(Received(self.path, dict(self.headers.items()), body))
                    answer = partner.answers.pop(0) if partner.answers else 200
                if answer == HANG:
                    partner.closing.wait(30)
                    return
                self.send_response(int(answer))
                if int(answer) in (301, 302, 307, 308):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/resettle?source=council"

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
