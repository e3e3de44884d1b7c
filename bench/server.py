"""gunicorn as a subprocess on loopback, and two load generators to time requests against it: ``wrk``
(compiled, keep-alive connections; ``run_wrk``) where it is installed, and a Python thread pool
(``run_load``) for writes with per-request bodies and as the fallback without wrk."""

import http.client
import json
import os
import secrets
import shutil
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
GUNICORN_CONFIG = BASE_DIR / "saypro" / "gunicorn_config.py"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """``gunicorn saypro.wsgi`` in production mode (DEBUG off) against the benchmark database, with the
    production settings file (``saypro/gunicorn_config.py``: gthread workers, keep-alive), only the
    bind address, the access log (off) and the timeout changed."""

    def __init__(self, *, database_url: str, workers: int = 2, threads: int = 4) -> None:
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
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
            "BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_TIMEOUT": "120",
            # As docker-compose runs gunicorn: each thread keeps its connection (the default, 0, is
            # for runserver's thread per request).
            "DATABASE_CONN_MAX_AGE": "60",
        }
        command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG), "saypro.wsgi:application"]
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

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by gunicorn's master and workers, from /proc (Linux)."""
        if self.process is None:
            return None
        return process_cpu_seconds(process_tree(self.process.pid))

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
    """One request on a fresh connection."""
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


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


WRK_MISSING = (
    "wrk is not installed (Debian: apt-get install -y wrk; .ci/run installs it): timing with the Python "
    "load generator instead, which itself needs most of a core at a few hundred requests per second on "
    "the machine it measures, so the numbers understate the server"
)


@dataclass
class WrkResult:
    """What ``wrk`` measured: requests in ``seconds``, latency percentiles in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    socket_errors: dict[str, int]

    def summary(self) -> dict[str, float | int]:
        """The keys of ``bench.registry.latency_summary``."""
        return {
            "requests": self.requests,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "mean_ms": self.mean_ms,
            "max_ms": self.max_ms,
            "requests_per_second": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
        }


def run_wrk(
    base_url: str, *, path: str, headers: dict[str, str], connections: int, seconds: float, threads: int = 2
) -> WrkResult:
    """GET ``path`` from ``connections`` keep-alive connections for ``seconds`` with ``wrk`` (its
    ``threads`` event loops), each request timed from send to the last byte. Any response that is not
    2xx/3xx, and any timeout, fails the run; the Lua script (``wrk_report.lua``) prints the figures."""
    command = [
        "wrk",
        "--threads",
        str(min(threads, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--script",
        str(WRK_SCRIPT),
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"{base_url}{path}")
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)
    report = next((line for line in completed.stdout.splitlines() if line.startswith("WRK_JSON ")), None)
    if completed.returncode != 0 or report is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    figures = json.loads(report.removeprefix("WRK_JSON "))
    if figures["status_errors"] or figures["timeouts"]:
        raise RuntimeError(
            f"{figures['status_errors']} responses other than 2xx/3xx and {figures['timeouts']} timeouts "
            f"of {figures['requests']} GET {path}:\n{completed.stdout}"
        )
    return WrkResult(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=round(figures["p50_us"] / 1000, 2),
        p95_ms=round(figures["p95_us"] / 1000, 2),
        p99_ms=round(figures["p99_us"] / 1000, 2),
        mean_ms=round(figures["mean_us"] / 1000, 2),
        max_ms=round(figures["max_us"] / 1000, 2),
        socket_errors={name: figures[name] for name in ("connect_errors", "read_errors", "write_errors")},
    )


def process_cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU seconds of these processes (/proc, Linux); None where /proc is not readable.
    On a machine shared with other work, CPU time per request is the figure that other processes
    disturb least: they stretch the latency, hardly the work done for each request."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    try:
        return ticks / os.sysconf("SC_CLK_TCK")
    except (ValueError, OSError):
        return None


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (gunicorn's master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found
