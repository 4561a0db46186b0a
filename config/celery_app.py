import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("incubator")
# All Celery settings live in Django settings under the CELERY_ prefix (see settings/base.py).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_postrun.connect
def release_database_connections(task=None, **kwargs) -> None:
    """Hand a task's database connections back to the pool, as Django does after each request.

    ``CELERY_DB_REUSE_MAX`` keeps Celery from closing the pool after every task (settings/base.py);
    this keeps a connection from being carried, broken or mid-transaction, into the next task.
    An eager task runs inside its caller (a request, a test) and leaves the caller's alone.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
