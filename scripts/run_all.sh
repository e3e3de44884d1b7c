#!/usr/bin/env bash
# `make run`: migrate, load the demo data once, and run the web server, a Celery worker and Celery beat
# together; Ctrl-C stops all three.
#
# Quick: the worker starts while the migrations run and the web server while the demo data loads (beat
# waits for the data: its first sweep must find the demo's live cases). Quiet: the three processes log
# to var/log/ (web.log, worker.log, beat.log), emails go to var/mail/ (unless EMAIL_URL is set), and the
# logins are printed once, when the site answers. Clean stop: each process runs in its own session, so Ctrl-C reaches only this
# script, which asks each to stop (the worker then stops its pool itself) and waits for them.
set -uo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-8000}"
BIN=.venv/bin
VAR="${SAYPRO_VAR_DIR:-var}"
mkdir -p "$VAR/log"
started=$SECONDS
pids=()

stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping web, worker and beat..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 100); do  # up to 20 s: the worker finishes the tasks it is running
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  echo "Stopped."
  exit 0
}
trap stop INT TERM EXIT

# start LOG COMMAND...: COMMAND in its own session, its output appended to var/log/LOG.
start() { local log="$VAR/log/$1"; shift; setsid "$@" >>"$log" 2>&1 & pids+=($!); }

start worker.log $BIN/celery -A saypro worker --loglevel=INFO --concurrency=2 --hostname="worker@%h"
echo "Preparing the database..."
# The system checks run with the tests; here they would only repeat SQLite's index warnings.
$BIN/python manage.py migrate --noinput --verbosity 0 --skip-checks || exit 1
DJANGO_RUNSERVER_HIDE_WARNING=true start web.log $BIN/python manage.py runserver "127.0.0.1:${PORT}" --noreload
seeded=$($BIN/python manage.py seed_demo --once --logins) || exit 1
start beat.log $BIN/celery -A saypro beat --loglevel=INFO

# Wait until the site answers (at most 60 s), then say where everything is.
for _ in $(seq 300); do
  $BIN/python - "$PORT" <<'PY' 2>/dev/null && break
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
PY
  sleep 0.2
done
if [ -z "${EMAIL_URL:-}" ]; then mail="written to $VAR/mail/ (one file per batch sent)"; else mail="sent through EMAIL_URL"; fi
cat <<TXT

  SayPro Interaction Desk is running (web + Celery worker + beat), ready in $((SECONDS - started)) s.
    Landing page        http://127.0.0.1:${PORT}/
    Moderators' console http://127.0.0.1:${PORT}/admin/
    API docs            http://127.0.0.1:${PORT}/api/docs/
    Emails              ${mail}
    Logs                $VAR/log/web.log, worker.log, beat.log

  ${seeded%%$'\n'*}
  Demo logins:
${seeded#*$'\n'}

  Press Ctrl-C to stop all of them.
TXT
wait -n "${pids[@]}"
echo "A process exited (see $VAR/log/); stopping the others."
stop
