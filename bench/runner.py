"""``python -m bench [--rows N] [--only NAME] [--smoke] [--reuse]``: the benchmark runner.

1. Refuses anything but PostgreSQL (``DATABASE_URL``): numbers from SQLite say nothing about production.
2. Recreates its own database, ``<dbname>_bench`` (``<dbname>_bench_smoke`` for ``--smoke``), next to
   the one in ``DATABASE_URL``, points Django at it and migrates it. The configured database is never
   touched. With ``--reuse`` a benchmark database left by an earlier run at the same size is kept
   (migrated, so new migrations such as an index apply to it) and its data set is not generated again.
3. Generates the data set (``bench.data``), runs every registered benchmark (``bench/bench_*.py``),
   writes one JSON file per benchmark and prints a table of all results.
"""

import argparse
import importlib
import json
import os
import pkgutil
import platform
import statistics
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_ROWS = 1_000_000
SMOKE_ROWS = 30_000
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--rows", type=int, default=None, help=f"data set size; orders are a tenth of it (default {DEFAULT_ROWS:,})"
    )
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this benchmark (repeatable)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"small sizes ({SMOKE_ROWS:,} rows, few requests); results in bench/results/smoke/",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the benchmark database of an earlier run at the same size instead of generating it again "
        "(for read-only benchmarks such as inquiries_kpis: ones that write change the data for the next run)",
    )
    parser.add_argument("--list", action="store_true", help="list the registered benchmarks and exit")
    return parser.parse_args(argv)


def discover() -> None:
    """Import every ``bench/bench_*.py`` module: each registers its benchmarks on import."""
    for module in pkgutil.iter_modules([str(BENCH_DIR)]):
        if module.name.startswith("bench_"):
            importlib.import_module(f"bench.{module.name}")


def git_commit() -> tuple[str, bool]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=BASE_DIR,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False
    return commit, dirty


def bench_database_url(database_url: str, suffix: str) -> str:
    """``DATABASE_URL`` with the database name ``<dbname><suffix>``."""
    parts = urlsplit(database_url)
    dbname = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path=f"/{f'{dbname}{suffix}'[:63]}"))


def _admin_connection(database_url: str) -> Any:
    import psycopg

    parts = urlsplit(database_url)
    try:
        return psycopg.connect(urlunsplit(parts._replace(scheme="postgresql")), autocommit=True)
    except psycopg.OperationalError:  # the configured database may not exist yet: use the maintenance one
        return psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True)


def database_exists(database_url: str, bench_url: str) -> bool:
    bench_dbname = urlsplit(bench_url).path.lstrip("/")
    with _admin_connection(database_url) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_dbname]).fetchone() is not None


def recreate_database(database_url: str, bench_url: str) -> None:
    """Drop and create the database of ``bench_url``, connected through ``database_url``'s server."""
    from psycopg import sql

    bench_dbname = urlsplit(bench_url).path.lstrip("/")
    with _admin_connection(database_url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(bench_dbname)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bench_dbname)))


def print_table(results: list[dict[str, Any]]) -> None:
    header = ["benchmark", "case", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s", "SQL/req", "in-proc ms", "wall s"]
    lines = []
    for result in results:
        cases = result.get("cases") or [result]
        for case in cases:
            lines.append(
                [
                    result["name"],
                    str(case.get("case", "-")),
                    str(case.get("requests", "-")),
                    str(case.get("p50_ms", "-")),
                    str(case.get("p95_ms", "-")),
                    str(case.get("p99_ms", "-")),
                    str(case.get("requests_per_second", "-")),
                    str(case.get("sql_statements", "-")),
                    str(case.get("in_process_p50_ms", "-")),
                    f"{result['wall_seconds']:.1f}",
                ]
            )
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    print()
    print("  ".join(title.ljust(width) for title, width in zip(header, widths, strict=True)))
    print("  ".join("-" * width for width in widths))
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def cpu_reference_ms() -> float:
    """How fast this machine runs Python right now: the median ms of five runs of one fixed loop
    (about 5.5 ms on this 2-core machine at its usual speed). The load average does not show a
    virtual machine whose host is busy: the same loop has measured 0.67 to 1.19 s (x 1.8) a minute
    apart at a load average near 1, and every in-process time moves with it."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(200_000):
            total += number
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 2)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    database_url = os.environ.get("DATABASE_URL", "")
    if urlsplit(database_url).scheme not in POSTGRES_SCHEMES:
        print(
            "bench: refusing to run: DATABASE_URL must point at PostgreSQL "
            f"(got {database_url.split(':')[0] or 'nothing, i.e. the SQLite default'}).\n"
            "  e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro make bench",
            file=sys.stderr,
        )
        return 2

    rows = args.rows or (SMOKE_ROWS if args.smoke else DEFAULT_ROWS)
    results_dir = RESULTS_DIR / "smoke" if args.smoke else RESULTS_DIR
    started = time.perf_counter()

    bench_url = bench_database_url(database_url, "_bench_smoke" if args.smoke else "_bench")
    # Django connects lazily: settings can point at the benchmark database before it is recreated.
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "saypro.settings"
    # The measured path is the web request, not a broker: tasks queued on commit go nowhere.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    from bench.data import generate, load_dataset, save_dataset
    from bench.registry import REGISTRY, BenchmarkSkipped, Context
    from bench.server import Server

    discover()
    if args.list:
        for name, entry in REGISTRY.items():
            print(f"{name}: {entry.description.splitlines()[0] if entry.description else ''}")
        return 0
    selected = args.only or list(REGISTRY)
    unknown = [name for name in selected if name not in REGISTRY]
    if unknown:
        print(f"bench: unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2

    data = None
    try:
        if args.reuse and database_exists(database_url, bench_url):
            data = load_dataset(rows)
        if data is None:
            recreate_database(database_url, bench_url)
    except Exception as error:  # psycopg.Error: no server, no CREATEDB privilege, ...
        print(f"bench: cannot recreate the benchmark database {urlsplit(bench_url).path[1:]}: {error}", file=sys.stderr)
        return 2
    state = "reused" if data is not None else "recreated"
    print(f"bench: database {urlsplit(bench_url).path.lstrip('/')} ({state}), {rows:,} rows")
    migrate_started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"bench: migrated in {time.perf_counter() - migrate_started:.1f} s")
    if data is None:
        data = generate(rows)
        save_dataset(data)
    server = Server(database_url=bench_url)
    context = Context(rows=rows, smoke=args.smoke, data=data, server=server)
    commit, dirty = git_commit()
    results_dir.mkdir(parents=True, exist_ok=True)

    results: list[dict[str, Any]] = []
    failed: list[str] = []
    try:
        for name in selected:
            reference_before = cpu_reference_ms()
            print(f"bench: {name} ... (CPU reference {reference_before} ms)", flush=True)
            benchmark_started = time.perf_counter()
            try:
                measured = REGISTRY[name].function(context)
            except BenchmarkSkipped as skipped:
                print(f"bench: {name} SKIPPED: {skipped}")
                continue
            except Exception:
                traceback.print_exc()
                if server.process is not None:
                    print(f"bench: the end of gunicorn's log:\n{server.log_tail()}", file=sys.stderr)
                failed.append(name)
                continue
            from django.db import connection

            result = {
                "name": name,
                "description": REGISTRY[name].description,
                "rows": rows,
                "smoke": args.smoke,
                "dataset": {**data.counts, "total": data.total_rows},
                "wall_seconds": round(time.perf_counter() - benchmark_started, 2),
                **measured,
                "git_commit": commit,
                "git_dirty": dirty,
                "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "postgresql": connection.pg_version,
                    # The 1-minute load average when the benchmark ended: other work on the machine shows here.
                    "load_average_1m": round(os.getloadavg()[0], 2),
                    # ``cpu_reference_ms`` before and after: compare in-process times only at a like speed.
                    "cpu_reference_ms": {"before": reference_before, "after": cpu_reference_ms()},
                },
            }
            path = results_dir / f"{name}.json"
            path.write_text(json.dumps(result, indent=2) + "\n")
            results.append(result)
    finally:
        server.stop()

    print_table(results)
    elapsed = time.perf_counter() - started
    print(f"\nbench: {len(results)} result(s) in {results_dir.relative_to(BASE_DIR)}/, total {elapsed:.0f} s")
    if failed:
        print(f"bench: FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
