"""Public health endpoint (django-health-check): database, cache and — when Redis is configured — the
Celery workers. It reports only OK/error per component, never data.

The Celery check pings over a connection of its own, opened and closed per check. django-health-check's
``Ping`` publishes through the app's pooled producer; after a Redis restart that connection is dead and the
check kept failing in that web process although Redis and the workers were back — a load balancer would
have kept a healthy server out of rotation. A fresh connection recovers as soon as Redis does.
"""

import dataclasses

import celery
from django.conf import settings
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from .celery import app as celery_app


@dataclasses.dataclass
class CeleryPing(Ping):
    # Our app, not celery's "current app": checks run in executor threads, where that is a fallback default.
    app: celery.Celery = dataclasses.field(default_factory=lambda: celery_app)

    def run(self):
        t = self.timeout.total_seconds()
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=0)
                # The app's control mailbox publishes through the app's pooled producer even when given a
                # connection, and that producer's connection stays dead after a Redis restart. A bound copy
                # without the pool publishes and collects the replies on this check's own connection.
                postlåda = self.app.control.mailbox(conn)
                postlåda.producer_pool = None
                svar = postlåda._broadcast("ping", reply=True, timeout=t, limit=self.limit)
                if not svar:
                    raise ServiceUnavailable("Ingen Celery-worker svarar")
                aktiva = list(self.active_workers(svar))
                köer = {
                    kö.get("name")
                    for r in postlåda._broadcast("active_queues", destination=aktiva, reply=True, timeout=t) or []
                    for köer_ in r.values()
                    for kö in köer_
                }
        except ServiceUnavailable:
            raise
        except Exception as e:  # connection refused, reset, timed out: the broker is not reachable
            raise ServiceUnavailable(f"Kön (Redis) kan inte nås: {type(e).__name__}") from e
        if self.app.conf.task_default_queue not in köer:
            raise ServiceUnavailable(f"Ingen worker läser kön {self.app.conf.task_default_queue}")


class Hälsa(HealthCheckView):
    def get_checks(self):
        self.checks = ["health_check.checks.Database", "health_check.checks.Cache"]
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self.checks.append(CeleryPing)
        return super().get_checks()

    def render_to_response(self, context, **response_kwargs):
        """Always JSON (monitoring tools read it; no HTML page with styles to keep CSP-clean)."""
        return self.render_to_response_json(response_kwargs.get("status", 200))


halsa = Hälsa.as_view()
