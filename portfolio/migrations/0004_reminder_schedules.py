"""The two beat schedules of the reminders, as rows staff can edit in the admin.

Celery beat runs with django-celery-beat's DatabaseScheduler, so these rows *are* the schedule:
"Periodic tasks" in the admin changes the time, or disables a task, without a deployment.
"""

from django.db import migrations

PASS_NAME = "reminders: hourly pass"
DIGEST_NAME = "reminders: weekly digest"


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    # Monday 08:30 in Shanghai; staff move it in the admin.
    weekly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="8", day_of_week="1", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=PASS_NAME,
        defaults={
            "task": "portfolio.tasks.reminder_pass",
            "crontab": hourly,
            "description": "Records the reminders that fell due and hands them to the workers.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=DIGEST_NAME,
        defaults={
            "task": "portfolio.tasks.digest_pass",
            "crontab": weekly,
            "description": "Mails each staff member the deadlines of their firms and failed reminders.",
        },
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[PASS_NAME, DIGEST_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0003_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
