"""A claim's "has a published check" flag, kept by the check offers' trigger, with a partial index in queue order.

The claims queue's filter then reads the flagged claims most check-worthy first from their own index, instead of
walking all claims by score and probing each one's offers.
"""

from django.conf import settings
from django.db import migrations, models


FLAG_SQL = """
CREATE OR REPLACE FUNCTION factcheck_checkoffer_counts() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $fn$
DECLARE claim_ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        claim_ids := ARRAY(SELECT DISTINCT claim_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        claim_ids := ARRAY(SELECT DISTINCT claim_id FROM old_rows);
    ELSE
        claim_ids := ARRAY(
            SELECT DISTINCT unnest(ARRAY[o.claim_id, n.claim_id])
            FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.band, o.status, o.claim_id) IS DISTINCT FROM (n.band, n.status, n.claim_id)
        );
    END IF;
    IF cardinality(claim_ids) > 0 THEN
        UPDATE factcheck_claim c SET has_published_check = f.checked
        FROM (
            SELECT u.id, EXISTS (
                SELECT 1 FROM factcheck_checkoffer o
                WHERE o.claim_id = u.id AND o.band = 'strong' AND o.status <> 'rejected'
            ) AS checked
            FROM unnest(claim_ids) AS u(id)
        ) f
        WHERE c.id = f.id AND c.has_published_check IS DISTINCT FROM f.checked;
        PERFORM factcheck_article_refresh_counts(
            ARRAY(SELECT DISTINCT c.article_id FROM factcheck_claim c WHERE c.id = ANY(claim_ids))
        );
    END IF;
    RETURN NULL;
END
$fn$;

UPDATE factcheck_claim SET has_published_check = true
WHERE id IN (SELECT claim_id FROM factcheck_checkoffer WHERE band = 'strong' AND status <> 'rejected');
"""

# Back to counting offers on the article only (the flag's column goes with this migration).
UNFLAG_SQL = """
CREATE OR REPLACE FUNCTION factcheck_checkoffer_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE ids bigint[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT c.article_id FROM old_rows r JOIN factcheck_claim c ON c.id = r.claim_id);
    ELSE
        ids := ARRAY(SELECT DISTINCT c.article_id FROM new_rows r JOIN factcheck_claim c ON c.id = r.claim_id);
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM factcheck_article_refresh_counts(ids);
    END IF;
    RETURN NULL;
END
$fn$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('factcheck', '0014_article_counts_from_claims'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='has_published_check',
            field=models.BooleanField(default=False, editable=False, help_text='A strong published-check offer nobody rejected; kept by a trigger on the offers.'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(models.OrderBy(models.F('score'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('has_published_check', True)), name='claim_checked_idx'),
        ),
        migrations.RunSQL(FLAG_SQL, UNFLAG_SQL),
    ]
