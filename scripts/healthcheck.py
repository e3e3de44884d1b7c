"""Healthchecks for the compose services: `python scripts/healthcheck.py web|worker|beat`."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def check_web() -> bool:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 — fixed loopback URL
        return response.status == 200


def check_worker() -> bool:
    celery = os.environ.get("VENV_BIN", str(BASE_DIR / ".venv/bin")) + "/celery"
    result = subprocess.run(  # noqa: S603 — fixed command
        [celery, "-A", "saypro", "inspect", "ping", "--timeout", "5", "-d", f"worker@{os.uname().nodename}"],
        cwd=BASE_DIR,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def check_beat() -> bool:
    # Beat rewrites its schedule file as it runs; a file untouched for 10 minutes means a stuck beat.
    schedule = Path(os.environ.get("SAYPRO_VAR_DIR", BASE_DIR / "var")) / "celerybeat-schedule"
    candidates = [path for path in schedule.parent.glob(schedule.name + "*") if path.is_file()]
    return bool(candidates) and time.time() - max(path.stat().st_mtime for path in candidates) < 600


if __name__ == "__main__":
    checks = {"web": check_web, "worker": check_worker, "beat": check_beat}
    try:
        healthy = checks[sys.argv[1]]()
    except Exception as error:  # any failure is "unhealthy", reported on stderr
        print(error, file=sys.stderr)
        healthy = False
    sys.exit(0 if healthy else 1)
