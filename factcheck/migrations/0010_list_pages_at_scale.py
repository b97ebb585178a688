"""Lists at scale: claim counters kept on the article by triggers, stored search vectors, an index per list sort.

The counters are recomputed per touched article at the end of each statement (statement-level triggers with
transition tables), from the article's own claims: a service, the admin, a bulk update or raw SQL all keep them
right, and a bulk insert of many claims costs one aggregate per article, not one update per claim.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

COUNTERS_SQL = """
-- Each touched article is counted from its own rows through the indexes on claim, conflict link and check offer
-- (LATERAL, one lookup per article; sequential scans off so a table without statistics yet is never scanned
-- whole once per article), then updated only if a count changed. Rows are locked in id order: two statements
-- touching the same articles wait for each other instead of deadlocking.
CREATE FUNCTION factcheck_article_refresh_counts(ids bigint[]) RETURNS void LANGUAGE sql
SET enable_seqscan = off AS $fn$
    WITH locked AS (
        SELECT id FROM factcheck_article WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE
    ), fresh AS (
        SELECT l.id, v.*, k.n_open_conflicts, o.n_published_checks
        FROM locked l
        CROSS JOIN LATERAL (
            SELECT count(*) AS n_claims,
                   count(*) FILTER (WHERE c.verdict = 'unreviewed') AS n_unreviewed,
                   count(*) FILTER (WHERE c.verdict = 'verified') AS n_verified,
                   count(*) FILTER (WHERE c.verdict = 'disputed') AS n_disputed,
                   count(*) FILTER (WHERE c.verdict = 'false') AS n_false,
                   count(*) FILTER (WHERE c.verdict = 'not_claim') AS n_not_claim
            FROM factcheck_claim c WHERE c.article_id = l.id
        ) v
        CROSS JOIN LATERAL (
            SELECT count(*) AS n_open_conflicts
            FROM factcheck_claim c
            JOIN factcheck_conflict_claims cc ON cc.claim_id = c.id
            JOIN factcheck_conflict k ON k.id = cc.conflict_id AND k.status = 'open'
            WHERE c.article_id = l.id
        ) k
        CROSS JOIN LATERAL (
            SELECT count(*) AS n_published_checks
            FROM factcheck_claim c
            JOIN factcheck_checkoffer o ON o.claim_id = c.id AND o.band = 'strong' AND o.status <> 'rejected'
            WHERE c.article_id = l.id
        ) o
    )
    UPDATE factcheck_article a
    SET n_claims = f.n_claims, n_unreviewed = f.n_unreviewed, n_verified = f.n_verified,
        n_disputed = f.n_disputed, n_false = f.n_false, n_not_claim = f.n_not_claim,
        n_open_conflicts = f.n_open_conflicts, n_published_checks = f.n_published_checks
    FROM fresh f
    WHERE a.id = f.id
      AND (a.n_claims, a.n_unreviewed, a.n_verified, a.n_disputed, a.n_false, a.n_not_claim,
           a.n_open_conflicts, a.n_published_checks)
          IS DISTINCT FROM
          (f.n_claims, f.n_unreviewed, f.n_verified, f.n_disputed, f.n_false, f.n_not_claim,
           f.n_open_conflicts, f.n_published_checks)
$fn$;

CREATE FUNCTION factcheck_claim_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT article_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT article_id FROM old_rows);
    ELSE
        ids := ARRAY(
            SELECT unnest(ARRAY[o.article_id, n.article_id])
            FROM old_rows o JOIN new_rows n USING (id)
            WHERE o.verdict IS DISTINCT FROM n.verdict OR o.article_id IS DISTINCT FROM n.article_id
        );
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM factcheck_article_refresh_counts(ids);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION factcheck_conflict_link_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT c.article_id FROM new_rows r JOIN factcheck_claim c ON c.id = r.claim_id);
    ELSE
        ids := ARRAY(SELECT DISTINCT c.article_id FROM old_rows r JOIN factcheck_claim c ON c.id = r.claim_id);
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM factcheck_article_refresh_counts(ids);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION factcheck_conflict_status_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ids bigint[];
BEGIN
    ids := ARRAY(
        SELECT DISTINCT c.article_id
        FROM old_rows o JOIN new_rows n USING (id)
        JOIN factcheck_conflict_claims cc ON cc.conflict_id = n.id
        JOIN factcheck_claim c ON c.id = cc.claim_id
        WHERE o.status IS DISTINCT FROM n.status
    );
    IF cardinality(ids) > 0 THEN
        PERFORM factcheck_article_refresh_counts(ids);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION factcheck_checkoffer_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT c.article_id FROM new_rows r JOIN factcheck_claim c ON c.id = r.claim_id);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT c.article_id FROM old_rows r JOIN factcheck_claim c ON c.id = r.claim_id);
    ELSE
        ids := ARRAY(
            SELECT DISTINCT c.article_id
            FROM old_rows o JOIN new_rows n USING (id)
            JOIN factcheck_claim c ON c.id IN (o.claim_id, n.claim_id)
            WHERE (o.band, o.status, o.claim_id) IS DISTINCT FROM (n.band, n.status, n.claim_id)
        );
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM factcheck_article_refresh_counts(ids);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER factcheck_claim_counts_insert AFTER INSERT ON factcheck_claim
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factcheck_claim_counts();
CREATE TRIGGER factcheck_claim_counts_update AFTER UPDATE ON factcheck_claim
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factcheck_claim_counts();
CREATE TRIGGER factcheck_claim_counts_delete AFTER DELETE ON factcheck_claim
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factcheck_claim_counts();
CREATE TRIGGER factcheck_conflict_link_counts_insert AFTER INSERT ON factcheck_conflict_claims
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factcheck_conflict_link_counts();
CREATE TRIGGER factcheck_conflict_link_counts_delete AFTER DELETE ON factcheck_conflict_claims
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factcheck_conflict_link_counts();
CREATE TRIGGER factcheck_conflict_status_counts AFTER UPDATE ON factcheck_conflict
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factcheck_conflict_status_counts();
CREATE TRIGGER factcheck_checkoffer_counts_insert AFTER INSERT ON factcheck_checkoffer
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factcheck_checkoffer_counts();
CREATE TRIGGER factcheck_checkoffer_counts_update AFTER UPDATE ON factcheck_checkoffer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factcheck_checkoffer_counts();
CREATE TRIGGER factcheck_checkoffer_counts_delete AFTER DELETE ON factcheck_checkoffer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factcheck_checkoffer_counts();

SELECT factcheck_article_refresh_counts(ARRAY(SELECT id FROM factcheck_article));
"""

DROP_COUNTERS_SQL = """
DROP TRIGGER factcheck_claim_counts_insert ON factcheck_claim;
DROP TRIGGER factcheck_claim_counts_update ON factcheck_claim;
DROP TRIGGER factcheck_claim_counts_delete ON factcheck_claim;
DROP TRIGGER factcheck_conflict_link_counts_insert ON factcheck_conflict_claims;
DROP TRIGGER factcheck_conflict_link_counts_delete ON factcheck_conflict_claims;
DROP TRIGGER factcheck_conflict_status_counts ON factcheck_conflict;
DROP TRIGGER factcheck_checkoffer_counts_insert ON factcheck_checkoffer;
DROP TRIGGER factcheck_checkoffer_counts_update ON factcheck_checkoffer;
DROP TRIGGER factcheck_checkoffer_counts_delete ON factcheck_checkoffer;
DROP FUNCTION factcheck_claim_counts();
DROP FUNCTION factcheck_conflict_link_counts();
DROP FUNCTION factcheck_conflict_status_counts();
DROP FUNCTION factcheck_checkoffer_counts();
DROP FUNCTION factcheck_article_refresh_counts(bigint[]);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('factcheck', '0009_published_checks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='article',
            name='article_search_idx',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_verdict_idx',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_assignee_idx',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_score_idx',
        ),
        migrations.RemoveIndex(
            model_name='claim',
            name='claim_search_idx',
        ),
        migrations.AddField(
            model_name='article',
            name='n_claims',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Claims in the article.'),
        ),
        migrations.AddField(
            model_name='article',
            name='n_disputed',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Claims marked disputed.'),
        ),
        migrations.AddField(
            model_name='article',
            name='n_false',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Claims marked false.'),
        ),
        migrations.AddField(
            model_name='article',
            name='n_not_claim',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Extraction errors dismissed as not a claim.'),
        ),
        migrations.AddField(
            model_name='article',
            name='n_open_conflicts',
            field=models.PositiveIntegerField(default=0, editable=False, help_text="Links between the article's claims and open conflicts."),
        ),
        migrations.AddField(
            model_name='article',
            name='n_published_checks',
            field=models.PositiveIntegerField(default=0, editable=False, help_text="Strong published-check offers on the article's claims that nobody rejected."),
        ),
        migrations.AddField(
            model_name='article',
            name='n_unreviewed',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Claims with no verdict yet.'),
        ),
        migrations.AddField(
            model_name='article',
            name='n_verified',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Claims marked verified.'),
        ),
        migrations.AddField(
            model_name='article',
            name='search',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.SearchVector('title', 'body', config='english'), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddField(
            model_name='claim',
            name='search',
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.SearchVector('text', 'rationale', config='english'), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='article_created_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.OrderBy(django.db.models.functions.comparison.Coalesce('published_at', 'created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='article_published_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['title', 'id'], name='article_title_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.OrderBy(models.F('n_unreviewed'), descending=True), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='article_unreviewed_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['uploaded_by', '-created_at'], name='article_uploader_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('n_unreviewed__gt', 0)), name='article_has_unreviewed_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('n_open_conflicts__gt', 0)), name='article_has_conflicts_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('n_published_checks__gt', 0)), name='article_has_checks_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search'], name='article_search_idx'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(models.F('verdict'), models.OrderBy(models.F('score'), descending=True), models.OrderBy(models.F('id'), descending=True), name='claim_verdict_idx'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(models.F('assignee'), models.OrderBy(models.F('score'), descending=True), models.OrderBy(models.F('id'), descending=True), name='claim_assignee_idx'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(models.OrderBy(models.F('score'), descending=True), models.OrderBy(models.F('id'), descending=True), name='claim_score_idx'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search'], name='claim_search_idx'),
        ),
        migrations.AddIndex(
            model_name='importbatch',
            index=models.Index(models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='importbatch_created_idx'),
        ),
        migrations.AddIndex(
            model_name='story',
            index=models.Index(models.OrderBy(models.F('updated_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='story_updated_idx'),
        ),
        migrations.RunSQL(COUNTERS_SQL, DROP_COUNTERS_SQL),
    ]
