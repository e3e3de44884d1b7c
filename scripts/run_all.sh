#!/usr/bin/env bash
# Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -uo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
BIN=.venv/bin
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping web, worker and beat..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait 2>/dev/null
  exit 0
}
trap stop INT TERM EXIT

$BIN/python manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)
$BIN/celery -A saypro worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" &
pids+=($!)
$BIN/celery -A saypro beat --loglevel=INFO &
pids+=($!)

sleep 3
cat <<TXT

  SayPro Interaction Desk is running (web + Celery worker + beat).
    Landing page        http://127.0.0.1:${PORT}/
    Moderators' console http://127.0.0.1:${PORT}/admin/
    API docs            http://127.0.0.1:${PORT}/api/docs/
    API schema          http://127.0.0.1:${PORT}/api/schema/

  Demo logins (password for all: ${SEED_DEMO_PASSWORD:-saypro-demo-2026}):
TXT
$BIN/python manage.py seed_demo --print-logins
echo "  Press Ctrl-C to stop all of them."
wait -n "${pids[@]}"
echo "A process exited; stopping the others."
stop
