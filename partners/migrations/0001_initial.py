"""The partners app takes over the partner models from accounts and portfolio, rows and all."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# The models that came from other apps, by their old app: their content types (and so their
# permissions, role groups and admin history) are relabelled rather than created anew.
MOVED = {
    "accounts": ["apikey", "accesslogentry", "idempotencyrecord", "loanapplication", "loandecision"],
    "portfolio": ["consent", "bankrecommendation", "historicalconsent", "historicalbankrecommendation"],
}
PURGE_TASK = ("accounts.tasks.purge_idempotency_records", "partners.tasks.purge_idempotency_records")


def relabel(apps, forwards: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old_app, models_ in MOVED.items():
        source, target = (old_app, "partners") if forwards else ("partners", old_app)
        for model in models_:
            if not ContentType.objects.filter(app_label=target, model=model).exists():
                ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
    old_task, new_task = PURGE_TASK if forwards else PURGE_TASK[::-1]
    PeriodicTask.objects.filter(task=old_task).update(task=new_task)


def relabel_forwards(apps, schema_editor):
    relabel(apps, forwards=True)


def relabel_backwards(apps, schema_editor):
    relabel(apps, forwards=False)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_partner_models_to_partners'),
        ('portfolio', '0008_partner_models_to_partners'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist already (renamed by accounts.0005 and portfolio.0008).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApiKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text="What the key is for, e.g. 'loan system'.", max_length=100, verbose_name='name')),
                        ('prefix', models.CharField(editable=False, max_length=16, unique=True, verbose_name='prefix')),
                        ('hashed_key', models.CharField(editable=False, max_length=64, verbose_name='hashed key')),
                        ('rate_per_minute', models.PositiveIntegerField(blank=True, help_text='Leave empty for the default rate (API_KEY_RATE_PER_MINUTE).', null=True, verbose_name='requests per minute')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='expires at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last used at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('organisation', models.ForeignKey(limit_choices_to={'is_partner': True}, on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to='accounts.organisation', verbose_name='organisation')),
                    ],
                    options={
                        'verbose_name': 'API key',
                        'verbose_name_plural': 'API keys',
                        'ordering': ['organisation', '-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='AccessLogEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('method', models.CharField(max_length=10, verbose_name='method')),
                        ('endpoint', models.CharField(max_length=100, verbose_name='endpoint')),
                        ('path', models.CharField(max_length=500, verbose_name='path')),
                        ('status_code', models.PositiveSmallIntegerField(verbose_name='status code')),
                        ('firm_ids', models.JSONField(default=list, verbose_name='firm ids')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time')),
                        ('firms', models.ManyToManyField(blank=True, db_constraint=False, related_name='api_access_log', to='portfolio.firm', verbose_name='firms')),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='api_access_log', to='accounts.organisation', verbose_name='organisation')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='api_access_log', to=settings.AUTH_USER_MODEL, verbose_name='staff user')),
                        ('api_key', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='access_log', to='partners.apikey', verbose_name='API key')),
                    ],
                    options={
                        'verbose_name': 'API access log entry',
                        'verbose_name_plural': 'API access log',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='BankRecommendation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('recommended_on', models.DateField(verbose_name='recommended on')),
                        ('status', models.CharField(choices=[('recommended', 'Recommended'), ('withdrawn', 'Withdrawn')], default='recommended', max_length=20, verbose_name='status')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('source', models.CharField(blank=True, max_length=200, verbose_name='source')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('bank', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='accounts.organisation', verbose_name='bank')),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='portfolio.firm', verbose_name='firm')),
                        ('incubator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recommendations', to='portfolio.incubator', verbose_name='recommended by')),
                    ],
                    options={
                        'verbose_name': 'bank recommendation',
                        'verbose_name_plural': 'bank recommendations (white list)',
                        'ordering': ['-recommended_on'],
                    },
                ),
                migrations.CreateModel(
                    name='Consent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_on', models.DateField(verbose_name='starts on')),
                        ('ends_on', models.DateField(blank=True, null=True, verbose_name='ends on')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('evidence', models.CharField(blank=True, help_text="E.g. the signed form's reference.", max_length=300, verbose_name='evidence')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='portfolio.firm', verbose_name='firm')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='accounts.organisation', verbose_name='shared with')),
                    ],
                    options={
                        'verbose_name': 'data-sharing consent',
                        'verbose_name_plural': 'data-sharing consents',
                        'ordering': ['-starts_on'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalBankRecommendation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('recommended_on', models.DateField(verbose_name='recommended on')),
                        ('status', models.CharField(choices=[('recommended', 'Recommended'), ('withdrawn', 'Withdrawn')], default='recommended', max_length=20, verbose_name='status')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('source', models.CharField(blank=True, max_length=200, verbose_name='source')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('bank', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organisation', verbose_name='bank')),
                        ('firm', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='portfolio.firm', verbose_name='firm')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('incubator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='portfolio.incubator', verbose_name='recommended by')),
                    ],
                    options={
                        'verbose_name': 'historical bank recommendation',
                        'verbose_name_plural': 'historical bank recommendations (white list)',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalConsent',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('starts_on', models.DateField(verbose_name='starts on')),
                        ('ends_on', models.DateField(blank=True, null=True, verbose_name='ends on')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('evidence', models.CharField(blank=True, help_text="E.g. the signed form's reference.", max_length=300, verbose_name='evidence')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('firm', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='portfolio.firm', verbose_name='firm')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organisation', verbose_name='shared with')),
                    ],
                    options={
                        'verbose_name': 'historical data-sharing consent',
                        'verbose_name_plural': 'historical data-sharing consents',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope', models.CharField(help_text="'org:<id>' for a partner, 'user:<id>' for staff.", max_length=40, verbose_name='scope')),
                        ('key', models.CharField(max_length=255, verbose_name='idempotency key')),
                        ('fingerprint', models.CharField(max_length=64, verbose_name='request fingerprint')),
                        ('method', models.CharField(max_length=10, verbose_name='method')),
                        ('path', models.CharField(max_length=500, verbose_name='path')),
                        ('response_status', models.PositiveSmallIntegerField(verbose_name='response status')),
                        ('response_body', models.TextField(verbose_name='response body')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'idempotency record',
                        'verbose_name_plural': 'idempotency records',
                        'constraints': [models.UniqueConstraint(fields=('scope', 'key'), name='accounts_idempotency_unique_key', violation_error_message='This idempotency key was already used.')],
                    },
                ),
                migrations.CreateModel(
                    name='LoanApplication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reference', models.CharField(blank=True, help_text="The bank's own id for the loan.", max_length=100, verbose_name="bank's reference")),
                        ('applied_on', models.DateField(verbose_name='applied on')),
                        ('requested_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='requested amount (CNY)')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated at')),
                        ('bank', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='loan_applications', to='accounts.organisation', verbose_name='bank')),
                        ('event', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='loan_application', to='portfolio.financingevent', verbose_name='financing event')),
                    ],
                    options={
                        'verbose_name': 'loan application',
                        'verbose_name_plural': 'loan applications',
                        'ordering': ['-applied_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='LoanDecision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('applied', 'Applied'), ('approved', 'Approved'), ('disbursed', 'Disbursed'), ('rejected', 'Rejected'), ('repaid', 'Repaid'), ('defaulted', 'Defaulted'), ('compensated', 'Compensated by a risk fund')], max_length=20, verbose_name='status')),
                        ('decided_on', models.DateField(verbose_name='decided on')),
                        ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='amount (CNY)')),
                        ('term_months', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='term (months)')),
                        ('note', models.TextField(blank=True, verbose_name='note or reason')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('api_key', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='partners.apikey', verbose_name='API key')),
                        ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='partners.loanapplication', verbose_name='loan application')),
                    ],
                    options={
                        'verbose_name': 'loan decision',
                        'verbose_name_plural': 'loan decisions',
                        'ordering': ['application', 'created_at', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='apikey',
                    constraint=models.UniqueConstraint(fields=('organisation', 'name'), name='accounts_apikey_unique_name_per_org', violation_error_message='This organisation already has a key with this name.'),
                ),
                migrations.AddConstraint(
                    model_name='apikey',
                    constraint=models.CheckConstraint(condition=models.Q(('rate_per_minute__isnull', True), ('rate_per_minute__gte', 1), _connector='OR'), name='accounts_apikey_rate_positive', violation_error_message='The rate must be at least one request per minute.'),
                ),
                migrations.AddIndex(
                    model_name='accesslogentry',
                    index=models.Index(fields=['organisation', '-created_at'], name='accounts_access_org_time'),
                ),
                migrations.AddConstraint(
                    model_name='bankrecommendation',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'recommended')), fields=('firm', 'bank'), name='portfolio_recommendation_one_active', violation_error_message='This firm is already recommended to this bank.'),
                ),
                migrations.AddIndex(
                    model_name='consent',
                    index=models.Index(fields=['organisation', 'firm'], name='portfolio_consent_org_firm'),
                ),
                migrations.AddConstraint(
                    model_name='consent',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='portfolio_consent_end_after_start', violation_error_message='A consent cannot end before it starts.'),
                ),
                migrations.AddConstraint(
                    model_name='loanapplication',
                    constraint=models.UniqueConstraint(condition=models.Q(('reference', ''), _negated=True), fields=('bank', 'reference'), name='accounts_loan_unique_reference_per_bank', violation_error_message='This bank already recorded a loan with this reference.'),
                ),
                migrations.AddConstraint(
                    model_name='loanapplication',
                    constraint=models.CheckConstraint(condition=models.Q(('requested_amount__isnull', True), ('requested_amount__gt', 0), _connector='OR'), name='accounts_loan_requested_amount_positive', violation_error_message='The requested amount must be positive.'),
                ),
            ],
        ),
        migrations.RunPython(relabel_forwards, relabel_backwards),
    ]
