"""The Torch filing reminder's model, and the beat schedules of the figures requests' passes.

As for the deadline reminders (portfolio 0004), the schedules are django-celery-beat rows staff
edit under "Periodic tasks" in the admin: both passes run hourly (a pass missed while the
workers were down is caught up the next hour; running twice records nothing new).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


REMINDERS_NAME = "figures requests: hourly reminder pass"
TORCH_NAME = "Torch return: hourly filing reminder pass"


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=REMINDERS_NAME,
        defaults={
            "task": "figures.tasks.figures_reminder_pass",
            "crontab": hourly,
            "description": "Reminds founders of figures not yet submitted, and liaisons of firms still missing.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=TORCH_NAME,
        defaults={
            "task": "figures.tasks.torch_filing_reminder_pass",
            "crontab": hourly,
            "description": "Reminds each incubator's managers that the Torch return's filing window closes soon.",
        },
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[REMINDERS_NAME, TORCH_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_initial"),
        ("portfolio", "0013_torch_return_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="TorchFilingEmail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="recipient email")),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "Chinese"), ("en", "English")],
                        default="zh-hans",
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                (
                    "next_attempt_at",
                    models.DateTimeField(
                        help_text="A pending email is not sent before this time.",
                        verbose_name="next attempt at",
                    ),
                ),
                (
                    "enqueued_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="handed to a worker at"),
                ),
                (
                    "claimed_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When a sender last took this email.",
                        null=True,
                        verbose_name="claimed at",
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("message_id", models.CharField(blank=True, max_length=200, verbose_name="Message-ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("report_year", models.PositiveSmallIntegerField(verbose_name="report year")),
                (
                    "threshold",
                    models.PositiveSmallIntegerField(
                        help_text="The reminder day of figures/rules/torch.yaml.",
                        verbose_name="threshold (days before it closes)",
                    ),
                ),
                ("opens_on", models.DateField(verbose_name="window opens on")),
                ("closes_on", models.DateField(verbose_name="window closes on")),
                (
                    "published",
                    models.BooleanField(
                        help_text="False where the window is only expected from earlier years.",
                        verbose_name="published window",
                    ),
                ),
                ("source", models.CharField(blank=True, max_length=300, verbose_name="source of the window")),
                (
                    "for_date",
                    models.DateField(help_text="The day (Asia/Shanghai) of the pass.", verbose_name="pass date"),
                ),
                (
                    "incubator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="torch_filing_emails",
                        to="portfolio.incubator",
                        verbose_name="incubator",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
            ],
            options={
                "verbose_name": "Torch filing reminder",
                "verbose_name_plural": "Torch filing reminders",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status__in", ["pending", "sending"])),
                        fields=["status", "next_attempt_at"],
                        name="figures_torch_filing_waiting",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("incubator", "report_year", "threshold", "email"),
                        name="figures_torch_filing_once_per_threshold",
                        violation_error_message="This filing reminder has already been recorded.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "sent"), _negated=True),
                            ("sent_at__isnull", False),
                            _connector="OR",
                        ),
                        name="figures_torch_filing_sent_has_time",
                        violation_error_message="A sent email needs the time it was sent.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("opens_on__lte", models.F("closes_on"))),
                        name="figures_torch_filing_window_in_order",
                        violation_error_message="The window cannot close before it opens.",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_schedules, remove_schedules),
    ]
