"""The partner API's models move to the partners app, keeping every row.

The tables are renamed to the partners app's names here (the rows, their ids and the foreign
keys pointing at them stay as they are); the models then leave this app's state only, and
``partners.0001_initial`` adds them to the partners app's state without touching the database.
"""

from django.db import migrations

MOVED = ["apikey", "accesslogentry", "idempotencyrecord", "loanapplication", "loandecision"]


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_idempotency_purge_schedule'),
        ('portfolio', '0007_firm_name_index'),
    ]

    operations = [
        *(migrations.AlterModelTable(name=name, table=f"partners_{name}") for name in MOVED),
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.RemoveField(
            model_name='accesslogentry',
            name='api_key',
        ),
        migrations.RemoveField(
            model_name='accesslogentry',
            name='firms',
        ),
        migrations.RemoveField(
            model_name='accesslogentry',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='accesslogentry',
            name='user',
        ),
        migrations.RemoveField(
            model_name='apikey',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='apikey',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='loandecision',
            name='api_key',
        ),
        migrations.DeleteModel(
            name='IdempotencyRecord',
        ),
        migrations.RemoveField(
            model_name='loanapplication',
            name='bank',
        ),
        migrations.RemoveField(
            model_name='loanapplication',
            name='event',
        ),
        migrations.RemoveField(
            model_name='loandecision',
            name='application',
        ),
        migrations.DeleteModel(
            name='AccessLogEntry',
        ),
        migrations.DeleteModel(
            name='ApiKey',
        ),
        migrations.DeleteModel(
            name='LoanApplication',
        ),
        migrations.DeleteModel(
            name='LoanDecision',
        ),
            ],
        ),
    ]
