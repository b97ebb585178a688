"""Fact-check reports: the report, the claims chosen for it, and corrections of published verdicts.

Their event tables are protected like every other (append-only, chained), and the roles get the report
permissions (Viewers read, Editors publish).
"""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
import uuid
from django.conf import settings
from django.db import migrations, models

from factcheck.permissions import roles_migrate


class Migration(migrations.Migration):

    dependencies = [
        ('factcheck', '0018_history_chain'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Report',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('title', models.CharField(max_length=500)),
                ('summary', models.TextField(blank=True, help_text='An introduction for readers (optional).')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('ready', 'Ready to publish'), ('published', 'Published')], default='draft', max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('published_at', models.DateTimeField(blank=True, help_text='When it was last published.', null=True)),
                ('first_published_at', models.DateTimeField(blank=True, null=True)),
                ('article', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report', to='factcheck.article')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('story', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report', to='factcheck.story')),
            ],
            options={
                'ordering': ['-updated_at', '-id'],
                'permissions': [('publish_report', 'Can create, choose the claims of, publish and unpublish reports')],
            },
        ),
        migrations.CreateModel(
            name='ReportClaim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('claim', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_items', to='factcheck.claim')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='factcheck.report')),
            ],
        ),
        migrations.AddField(
            model_name='report',
            name='claims',
            field=models.ManyToManyField(related_name='reports', through='factcheck.ReportClaim', to='factcheck.claim'),
        ),
        migrations.CreateModel(
            name='ReportClaimEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('claim', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='factcheck.claim')),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='factcheck.reportclaim')),
                ('report', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='factcheck.report')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ReportEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('key', models.UUIDField(default=uuid.uuid4, editable=False)),
                ('title', models.CharField(max_length=500)),
                ('summary', models.TextField(blank=True, help_text='An introduction for readers (optional).')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('ready', 'Ready to publish'), ('published', 'Published')], default='draft', max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('published_at', models.DateTimeField(blank=True, help_text='When it was last published.', null=True)),
                ('first_published_at', models.DateTimeField(blank=True, null=True)),
                ('article', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='factcheck.article')),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='factcheck.report')),
                ('published_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                ('story', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='factcheck.story')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='VerdictCorrection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_verdict', models.CharField(choices=[('unreviewed', 'Unreviewed'), ('verified', 'Verified'), ('disputed', 'Disputed'), ('false', 'False'), ('not_claim', 'Not a claim')], max_length=12)),
                ('new_verdict', models.CharField(choices=[('unreviewed', 'Unreviewed'), ('verified', 'Verified'), ('disputed', 'Disputed'), ('false', 'False'), ('not_claim', 'Not a claim')], max_length=12)),
                ('old_rationale', models.TextField(blank=True)),
                ('new_rationale', models.TextField(blank=True)),
                ('note', models.TextField()),
                ('made_at', models.DateTimeField()),
                ('claim', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='factcheck.claim')),
                ('made_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['claim', 'made_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='VerdictCorrectionEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('old_verdict', models.CharField(choices=[('unreviewed', 'Unreviewed'), ('verified', 'Verified'), ('disputed', 'Disputed'), ('false', 'False'), ('not_claim', 'Not a claim')], max_length=12)),
                ('new_verdict', models.CharField(choices=[('unreviewed', 'Unreviewed'), ('verified', 'Verified'), ('disputed', 'Disputed'), ('false', 'False'), ('not_claim', 'Not a claim')], max_length=12)),
                ('old_rationale', models.TextField(blank=True)),
                ('new_rationale', models.TextField(blank=True)),
                ('note', models.TextField()),
                ('made_at', models.DateTimeField()),
                ('claim', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='factcheck.claim')),
                ('made_by', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='factcheck.verdictcorrection')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddIndex(
            model_name='reportclaim',
            index=models.Index(fields=['claim'], name='reportclaim_claim_idx'),
        ),
        migrations.AddConstraint(
            model_name='reportclaim',
            constraint=models.UniqueConstraint(fields=('report', 'claim'), name='reportclaim_unique'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='reportclaim',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "factcheck_reportclaimevent" ("claim_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "report_id") VALUES (NEW."claim_id", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."report_id"); RETURN NULL;', hash='1422a29c35148c22421148fc16dfee9e67ce1132', operation='INSERT', pgid='pgtrigger_insert_insert_472fb', table='factcheck_reportclaim', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='reportclaim',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "factcheck_reportclaimevent" ("claim_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "report_id") VALUES (OLD."claim_id", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."report_id"); RETURN NULL;', hash='1242a3cf86a54b1a6675e31729a00ce690b22feb', operation='DELETE', pgid='pgtrigger_delete_delete_3bb85', table='factcheck_reportclaim', when='AFTER')),
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(models.OrderBy(models.F('updated_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='report_updated_idx'),
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(models.OrderBy(models.F('updated_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('status', 'published')), name='report_published_idx'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'ready', 'published'])), name='report_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('article__isnull', False), ('story__isnull', True)), models.Q(('article__isnull', True), ('story__isnull', False)), _connector='OR'), name='report_article_or_story'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('published_at__isnull', False), _connector='OR'), name='report_published_has_date'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='report',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "factcheck_reportevent" ("article_id", "created_at", "created_by_id", "first_published_at", "id", "key", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "published_by_id", "status", "story_id", "summary", "title") VALUES (NEW."article_id", NEW."created_at", NEW."created_by_id", NEW."first_published_at", NEW."id", NEW."key", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."published_at", NEW."published_by_id", NEW."status", NEW."story_id", NEW."summary", NEW."title"); RETURN NULL;', hash='da011d3fc5bdd0dfdfeb50158c8b15c22cf94695', operation='INSERT', pgid='pgtrigger_insert_insert_0eeb5', table='factcheck_report', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='report',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."article_id" IS DISTINCT FROM (NEW."article_id") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."first_published_at" IS DISTINCT FROM (NEW."first_published_at") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."key" IS DISTINCT FROM (NEW."key") OR OLD."published_at" IS DISTINCT FROM (NEW."published_at") OR OLD."published_by_id" IS DISTINCT FROM (NEW."published_by_id") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."story_id" IS DISTINCT FROM (NEW."story_id") OR OLD."summary" IS DISTINCT FROM (NEW."summary") OR OLD."title" IS DISTINCT FROM (NEW."title"))', func='INSERT INTO "factcheck_reportevent" ("article_id", "created_at", "created_by_id", "first_published_at", "id", "key", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "published_by_id", "status", "story_id", "summary", "title") VALUES (NEW."article_id", NEW."created_at", NEW."created_by_id", NEW."first_published_at", NEW."id", NEW."key", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."published_at", NEW."published_by_id", NEW."status", NEW."story_id", NEW."summary", NEW."title"); RETURN NULL;', hash='e6fc8efdecdf942279dd34957ff6ea8f1e1d980f', operation='UPDATE', pgid='pgtrigger_update_update_ede0c', table='factcheck_report', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='report',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "factcheck_reportevent" ("article_id", "created_at", "created_by_id", "first_published_at", "id", "key", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "published_by_id", "status", "story_id", "summary", "title") VALUES (OLD."article_id", OLD."created_at", OLD."created_by_id", OLD."first_published_at", OLD."id", OLD."key", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."published_at", OLD."published_by_id", OLD."status", OLD."story_id", OLD."summary", OLD."title"); RETURN NULL;', hash='fbd1390042265b70aabbed33e379eed015c6e4ae', operation='DELETE', pgid='pgtrigger_delete_delete_122e7', table='factcheck_report', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='reportclaimevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='178d056d848a216260bb2953009bd732b9157bc8', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_0aa46', table='factcheck_reportclaimevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='reportevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='7e9a976775a0da55613149bd6d7def8496921528', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_a82cf', table='factcheck_reportevent', when='BEFORE')),
        ),
        migrations.AddIndex(
            model_name='verdictcorrection',
            index=models.Index(fields=['claim', 'made_at'], name='verdictcorrection_claim_idx'),
        ),
        migrations.AddConstraint(
            model_name='verdictcorrection',
            constraint=models.CheckConstraint(condition=models.Q(('note', ''), _negated=True), name='verdictcorrection_has_note'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='verdictcorrection',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "factcheck_verdictcorrectionevent" ("claim_id", "id", "made_at", "made_by_id", "new_rationale", "new_verdict", "note", "old_rationale", "old_verdict", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."claim_id", NEW."id", NEW."made_at", NEW."made_by_id", NEW."new_rationale", NEW."new_verdict", NEW."note", NEW."old_rationale", NEW."old_verdict", _pgh_attach_context(), NOW(), \'insert\', NEW."id"); RETURN NULL;', hash='920453c4613ff002551239acc0c94a287a2f143a', operation='INSERT', pgid='pgtrigger_insert_insert_af250', table='factcheck_verdictcorrection', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='verdictcorrection',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "factcheck_verdictcorrectionevent" ("claim_id", "id", "made_at", "made_by_id", "new_rationale", "new_verdict", "note", "old_rationale", "old_verdict", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (OLD."claim_id", OLD."id", OLD."made_at", OLD."made_by_id", OLD."new_rationale", OLD."new_verdict", OLD."note", OLD."old_rationale", OLD."old_verdict", _pgh_attach_context(), NOW(), \'delete\', OLD."id"); RETURN NULL;', hash='f9e3b1e730446480152a8e4afe250624b79a8340', operation='DELETE', pgid='pgtrigger_delete_delete_9d591', table='factcheck_verdictcorrection', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='verdictcorrectionevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='d2631443c8ec2091a88f2dfa11c0162cfe5440af', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_c2eab', table='factcheck_verdictcorrectionevent', when='BEFORE')),
        ),
        migrations.RunSQL("SELECT factcheck_history_protect_event_table('factcheck_reportevent')", migrations.RunSQL.noop),
        migrations.RunSQL("SELECT factcheck_history_protect_event_table('factcheck_reportclaimevent')", migrations.RunSQL.noop),
        migrations.RunSQL(
            "SELECT factcheck_history_protect_event_table('factcheck_verdictcorrectionevent')", migrations.RunSQL.noop
        ),
        migrations.RunPython(roles_migrate, migrations.RunPython.noop),
    ]
