#!/usr/bin/env bash
# Production web process: migrate, collect static files, serve with gunicorn (whitenoise serves
# /static/). By hand: `bash scripts/web.sh`; in docker-compose: the `web` service.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 0
exec "$BIN/gunicorn" saypro.wsgi:application \
  --bind "${BIND:-0.0.0.0:${PORT:-8000}}" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile - --forwarded-allow-ips="*"
