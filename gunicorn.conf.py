"""gunicorn settings for Socialrapport (read by `gunicorn -c gunicorn.conf.py socialreports.wsgi`).

Everything can be overridden from the environment, so the same file serves a one-machine install
(bin/prod-start) and a dedicated app server. See docs/drift.md.

    GUNICORN_BIND      where to listen            default 127.0.0.1:${PORT:-8000} (a TLS proxy in front)
    WEB_CONCURRENCY    worker processes           default 2 × cores + 1
    GUNICORN_THREADS   threads per worker         default 1 (sync workers: one request per process)
    GUNICORN_TIMEOUT   seconds per request        default 120
    GUNICORN_ACCESSLOG access log file, "-" = stdout, "" = off    default "-"
    FORWARDED_ALLOW_IPS  the TLS proxy's address(es), trusted for X-Forwarded-*   default 127.0.0.1,::1

Timeouts: with Redis configured, report PDFs render in the Celery worker, so a web request is short
(a delårsrapport page 0.05–0.12 s uncached, measured in bench/). Without Redis (the embedded default
run under gunicorn) the PDF renders inside the request: a ten-times-larger nämnd took 7 s on SQLite,
so 120 s leaves a wide margin while still killing a truly stuck worker.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # finish running requests on SIGTERM/deploy
keepalive = 5  # only used by gthread workers; behind a proxy that keeps its upstream connections open

# Recycle workers now and then, so memory held by a large report render (WeasyPrint, lxml) is returned.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# Heartbeat files in memory: a slow or full disk must not make the arbiter kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Access log on stdout with the response time in ms (%(M)s); the query string is not logged.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "socialrapport-web"

# The TLS proxy's address: only then are X-Forwarded-Proto etc. trusted (Django also reads
# X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER in settings_prod).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn ≥ 24 opens a control socket in ~/.gunicorn by default; several instances on one machine
# would fight over it, and we do not use it. GUNICORN_CONTROL_SOCKET=/path turns it on.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
