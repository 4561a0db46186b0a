"""Consents and bank recommendations (and their history) move to the partners app, keeping every row.

As in ``accounts.0005``: the tables are renamed here, the models leave this app's state, and
``partners.0001_initial`` takes them into its state without touching the database.
"""

from django.db import migrations

MOVED = ["consent", "bankrecommendation", "historicalconsent", "historicalbankrecommendation"]


class Migration(migrations.Migration):

    dependencies = [
        ('portfolio', '0007_firm_name_index'),
    ]

    operations = [
        *(migrations.AlterModelTable(name=name, table=f"partners_{name}") for name in MOVED),
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.RemoveField(
            model_name='consent',
            name='firm',
        ),
        migrations.RemoveField(
            model_name='consent',
            name='organisation',
        ),
        migrations.RemoveField(
            model_name='historicalbankrecommendation',
            name='bank',
        ),
        migrations.RemoveField(
            model_name='historicalbankrecommendation',
            name='firm',
        ),
        migrations.RemoveField(
            model_name='historicalbankrecommendation',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalbankrecommendation',
            name='incubator',
        ),
        migrations.RemoveField(
            model_name='historicalconsent',
            name='firm',
        ),
        migrations.RemoveField(
            model_name='historicalconsent',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalconsent',
            name='organisation',
        ),
        migrations.DeleteModel(
            name='BankRecommendation',
        ),
        migrations.DeleteModel(
            name='Consent',
        ),
        migrations.DeleteModel(
            name='HistoricalBankRecommendation',
        ),
        migrations.DeleteModel(
            name='HistoricalConsent',
        ),
            ],
        ),
    ]
