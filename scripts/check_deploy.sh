#!/usr/bin/env bash
# `manage.py check --deploy` under production settings: DEBUG off and real secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-desk.saypro.example}"
exec .venv/bin/python manage.py check --deploy --fail-level WARNING
