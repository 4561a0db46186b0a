"""The reminders' "open deadline" proxy gives way to the deadline admin (which links to deliveries).

Its content type and permissions go too, so no role or user keeps a permission for a page that
no longer exists (Django would leave them behind: remove_stale_contenttypes is not run on migrate).
"""

from django.db import migrations


def remove_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="portfolio", model="opendeadline"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0004_reminder_schedules"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.DeleteModel(name="OpenDeadline"),
        # Recreated by post_migrate if the migration is reversed and the proxy comes back.
        migrations.RunPython(remove_content_type, migrations.RunPython.noop),
    ]
