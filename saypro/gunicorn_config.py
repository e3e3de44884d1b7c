"""gunicorn's settings for the web process: ``gunicorn -c saypro/gunicorn_config.py saypro.wsgi:application``.

The one place they live: ``scripts/web.sh`` (so docker-compose's ``web`` service and the image's
``CMD``) and the benchmark (``bench/server.py``) both start gunicorn with this file. Each value can
be overridden from the environment, as below.

- ``gthread`` workers: a worker serves ``GUNICORN_THREADS`` requests at once, so one waiting on
  PostgreSQL does not hold the process idle, and keeps a client's connection open between requests
  (``keepalive``): no TCP handshake and no new worker hand-off per request. Each thread keeps its own
  database connection (``CONN_MAX_AGE``), so PostgreSQL sees workers x threads connections.
- ``WEB_CONCURRENCY`` processes, by default one per CPU: Python runs one thread at a time per
  process, so more processes than cores only adds switching; threads cover the waits. On the
  2-core machine the benchmark ran 2 workers x 4 threads (bench/README.md, ``orders_list``).
"""

import os

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# Seconds an idle client connection stays open for its next request (behind a proxy, keep this
# above the proxy's own idle timeout for upstream connections).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
# "-" logs each request to stdout (docker logs); an empty GUNICORN_ACCESS_LOG turns it off (the benchmark).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# TLS ends at the proxy in front: trust its X-Forwarded-* headers (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


def post_worker_init(worker: object) -> None:
    """Once the worker has loaded Django: move every object alive now (modules, URL patterns,
    templates, settings: most of the heap) out of the garbage collector's reach (``gc.freeze``).
    They live as long as the process, and a full collection no longer walks them all in the middle
    of some request — the pauses that made the list API's slowest 1 % of requests several times its
    median (bench/README.md, ``orders_list``)."""
    import gc

    if os.environ.get("GUNICORN_GC_FREEZE", "1") == "1":
        gc.collect()
        gc.freeze()
