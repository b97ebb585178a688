"""Background exports (their files kept in the database), and what the desk overview reads.

`ReviewHour` counts the claims whose current verdict was set in each hour (UTC) by each person. Row triggers on
claims keep it: an insert or delete of a reviewed claim, and any change of a claim's verdict, verdict time or
reviewer, take one from the old hour and person and add one to the new. Claims that are and stay unreviewed
(extraction's inserts, matching's updates) don't call the function. Existing reviews are counted once here.
`article_desk_idx` lets the overview sum the articles' verdict counters from an index alone.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


REVIEW_HOURS_SQL = """
CREATE FUNCTION factcheck_claim_review_hours() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.verdict <> 'unreviewed' AND OLD.verdict_at IS NOT NULL THEN
        UPDATE factcheck_reviewhour SET n = n - 1
        WHERE hour = date_trunc('hour', OLD.verdict_at, 'UTC') AND reviewer_id IS NOT DISTINCT FROM OLD.verdict_by_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.verdict <> 'unreviewed' AND NEW.verdict_at IS NOT NULL THEN
        INSERT INTO factcheck_reviewhour (hour, reviewer_id, n)
        VALUES (date_trunc('hour', NEW.verdict_at, 'UTC'), NEW.verdict_by_id, 1)
        ON CONFLICT (hour, reviewer_id) DO UPDATE SET n = factcheck_reviewhour.n + 1;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER factcheck_claim_review_hours_insert AFTER INSERT ON factcheck_claim FOR EACH ROW
    WHEN (NEW.verdict <> 'unreviewed' AND NEW.verdict_at IS NOT NULL)
    EXECUTE FUNCTION factcheck_claim_review_hours();
CREATE TRIGGER factcheck_claim_review_hours_update AFTER UPDATE OF verdict, verdict_at, verdict_by_id
    ON factcheck_claim FOR EACH ROW
    WHEN (OLD.verdict IS DISTINCT FROM NEW.verdict OR OLD.verdict_at IS DISTINCT FROM NEW.verdict_at
          OR OLD.verdict_by_id IS DISTINCT FROM NEW.verdict_by_id)
    EXECUTE FUNCTION factcheck_claim_review_hours();
CREATE TRIGGER factcheck_claim_review_hours_delete AFTER DELETE ON factcheck_claim FOR EACH ROW
    WHEN (OLD.verdict <> 'unreviewed' AND OLD.verdict_at IS NOT NULL)
    EXECUTE FUNCTION factcheck_claim_review_hours();

INSERT INTO factcheck_reviewhour (hour, reviewer_id, n)
SELECT date_trunc('hour', verdict_at, 'UTC'), verdict_by_id, count(*)
FROM factcheck_claim WHERE verdict <> 'unreviewed' AND verdict_at IS NOT NULL
GROUP BY 1, 2;
"""

DROP_REVIEW_HOURS_SQL = """
DROP TRIGGER factcheck_claim_review_hours_insert ON factcheck_claim;
DROP TRIGGER factcheck_claim_review_hours_update ON factcheck_claim;
DROP TRIGGER factcheck_claim_review_hours_delete ON factcheck_claim;
DROP FUNCTION factcheck_claim_review_hours();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('factcheck', '0022_checkworthiness_heads'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ExportChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveIntegerField()),
                ('data', models.BinaryField()),
            ],
        ),
        migrations.CreateModel(
            name='ExportJob',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('format', models.CharField(max_length=20)),
                ('scope', models.JSONField(help_text='What the export covers (factcheck.exports.Scope).')),
                ('label', models.CharField(help_text='What the export covers, in words.', max_length=500)),
                ('filename', models.CharField(max_length=200)),
                ('status', models.CharField(choices=[('queued', 'Waiting for a worker'), ('running', 'Being written'), ('done', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('message', models.TextField(blank=True, help_text='Why it failed, if it did.')),
                ('claims_total', models.PositiveIntegerField(blank=True, null=True)),
                ('claims_done', models.PositiveIntegerField(default=0)),
                ('records', models.PositiveIntegerField(default=0, help_text='Articles (JSON, CSV) or reviews (ClaimReview).')),
                ('size', models.PositiveBigIntegerField(default=0, help_text='Bytes written.')),
                ('n_chunks', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='ReviewHour',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField()),
                ('reviewer_id', models.BigIntegerField(blank=True, null=True)),
                ('n', models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status'], include=('n_unreviewed', 'n_verified', 'n_disputed', 'n_false', 'n_not_claim'), name='article_desk_idx'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(condition=models.Q(('score__gte', 0.8), ('verdict', 'unreviewed')), fields=['created_at', 'id'], name='claim_open_priority_idx'),
        ),
        migrations.AddField(
            model_name='exportjob',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='exportchunk',
            name='job',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='factcheck.exportjob'),
        ),
        migrations.AddConstraint(
            model_name='reviewhour',
            constraint=models.UniqueConstraint(fields=('hour', 'reviewer_id'), name='reviewhour_unique', nulls_distinct=False),
        ),
        migrations.AddIndex(
            model_name='exportjob',
            index=models.Index(models.F('created_by'), models.OrderBy(models.F('created_at'), descending=True), name='exportjob_owner_idx'),
        ),
        migrations.AddIndex(
            model_name='exportjob',
            index=models.Index(fields=['created_at'], name='exportjob_created_idx'),
        ),
        migrations.AddConstraint(
            model_name='exportjob',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'running', 'done', 'failed'])), name='exportjob_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='exportchunk',
            constraint=models.UniqueConstraint(fields=('job', 'seq'), name='exportchunk_unique_seq'),
        ),
        migrations.RunSQL(REVIEW_HOURS_SQL, DROP_REVIEW_HOURS_SQL),
    ]
