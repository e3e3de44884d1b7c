"""gunicorn as a subprocess on loopback, and a bounded load generator to time requests against it."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """``gunicorn saypro.wsgi`` in production mode (DEBUG off) against the benchmark database."""

    def __init__(self, *, database_url: str, workers: int = 2) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_file = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115

    def ensure_started(self) -> str:
        if self.process is None:
            self.start()
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "saypro.settings",
            "DATABASE_URL": self.database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            # Throttling is not what is measured; per-process local memory cache, no Redis round trip.
            "API_THROTTLE_ANON": "1000000/minute",
            "API_THROTTLE_TOKEN": "1000000/minute",
            "API_THROTTLE_WRITE_BURST": "1000000/minute",
            "API_THROTTLE_WRITE_SUSTAINED": "1000000/hour",
            "API_THROTTLE_INTEGRATION_WRITE_BURST": "1000000/minute",
            "API_THROTTLE_INTEGRATION_WRITE_SUSTAINED": "1000000/hour",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "saypro.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=self.log_file, stderr=self.log_file)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = request("GET", f"http://{HOST}:{self.port}", "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self.log_file.flush()
        text = Path(self.log_file.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.log_file.close()
        Path(self.log_file.name).unlink(missing_ok=True)


def request(
    method: str,
    base_url: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 60,
) -> tuple[int, bytes]:
    """One request on a fresh connection (gunicorn's sync workers close after every response)."""
    host_port = base_url.split("://", 1)[1]
    host, port = host_port.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    failures: list[tuple[int, bytes]] = field(default_factory=list)


def run_load(
    base_url: str,
    *,
    method: str,
    path: str | Callable[[int], str],
    total: int,
    concurrency: int,
    headers: dict[str, str],
    body: Callable[[int], bytes] | None = None,
    expect: int = 200,
    warmup: int = 0,
) -> LoadResult:
    """``total`` requests, ``concurrency`` at a time, each timed from send to the last body byte.

    ``warmup`` untimed requests first (per-worker imports, connection setup, the planner's caches).
    A request answered with another status than ``expect`` is a failure, kept for the report.
    """
    result = LoadResult()
    lock = threading.Lock()

    def one(index: int, timed: bool) -> None:
        request_path = path(index) if callable(path) else path
        payload = body(index) if body else None
        started = time.perf_counter()
        status, content = request(method, base_url, request_path, headers=headers, body=payload)
        latency = time.perf_counter() - started
        with lock:
            if status != expect:
                result.failures.append((status, content[:500]))
            elif timed:
                result.latencies.append(latency)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda i: one(i, False), range(warmup)))
        started = time.perf_counter()
        list(pool.map(lambda i: one(warmup + i, True), range(total)))
        result.elapsed = time.perf_counter() - started
    if result.failures:
        status, content = result.failures[0]
        raise RuntimeError(
            f"{len(result.failures)} of {total + warmup} {method} requests failed; first: {status} {content!r}"
        )
    return result
