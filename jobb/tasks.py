from celery import shared_task

from . import services


@shared_task(name="jobb.kör", acks_late=True, reject_on_worker_lost=True)
def kör_jobb(jobb_id: str) -> None:
    services.kör(jobb_id)
