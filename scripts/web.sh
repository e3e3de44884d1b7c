#!/usr/bin/env bash
# Production web process: migrate, collect static files, serve with gunicorn (whitenoise serves
# /static/). By hand: `bash scripts/web.sh`; in docker-compose: the `web` service. gunicorn's settings
# (gthread workers and threads, keep-alive, access log) are in saypro/gunicorn_config.py, each one
# overridable from the environment (WEB_CONCURRENCY, GUNICORN_THREADS, BIND or PORT, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 0
exec "$BIN/gunicorn" --config saypro/gunicorn_config.py saypro.wsgi:application
