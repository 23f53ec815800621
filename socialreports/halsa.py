"""Public health endpoint (django-health-check): database, cache and — when Redis is configured — the
Celery workers. It reports only OK/error per component, never data."""

from django.conf import settings
from health_check.views import HealthCheckView


class Hälsa(HealthCheckView):
    def get_checks(self):
        self.checks = ["health_check.checks.Database", "health_check.checks.Cache"]
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self.checks.append("health_check.contrib.celery.Ping")
        return super().get_checks()

    def render_to_response(self, context, **response_kwargs):
        """Always JSON (monitoring tools read it; no HTML page with styles to keep CSP-clean)."""
        return self.render_to_response_json(response_kwargs.get("status", 200))


halsa = Hälsa.as_view()
