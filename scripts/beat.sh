#!/usr/bin/env bash
# Celery beat (static schedule built from the sweep registry). Exactly one beat per deployment.
# By hand: `bash scripts/beat.sh`; in docker-compose: the `beat` service.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"
exec "$BIN/celery" -A saypro beat --loglevel="${LOG_LEVEL:-INFO}" --pidfile="${BEAT_PIDFILE:-var/celerybeat.pid}"
