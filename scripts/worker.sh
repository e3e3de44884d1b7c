#!/usr/bin/env bash
# Celery worker. By hand: `bash scripts/worker.sh`; in docker-compose: the `worker` service.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"
exec "$BIN/celery" -A saypro worker --loglevel="${LOG_LEVEL:-INFO}" --concurrency="${WORKER_CONCURRENCY:-2}" --hostname="worker@%h"
