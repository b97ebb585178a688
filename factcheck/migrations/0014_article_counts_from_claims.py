"""The article counters' refresh looks everything up by key: the article rows, then conflict links and check offers
claim by claim.

Planned as joins, a refresh could start from the open conflicts or the strong check offers and filter them by
article: fine while there are few, one scan of them all per article once there are thousands (a bulk insert of
check offers then refreshed each article by reading every offer). Counted per claim of the article, through the
indexes on the link's and the offer's claim, a refresh costs the same whatever the tables hold. Sequential scans
and JIT compilation are off inside it: it reads a few rows by key, which a table without statistics yet could
otherwise have planned as scans, and a large estimate as something worth compiling.
"""

from django.db import migrations

REFRESH_SQL = """
CREATE OR REPLACE FUNCTION factcheck_article_refresh_counts(ids bigint[]) RETURNS void LANGUAGE sql
SET enable_seqscan = off SET jit = off AS $fn$
    -- Each article row is looked up by its key and locked, in id order.
    WITH locked AS (
        SELECT a.id
        FROM (SELECT DISTINCT u.id FROM unnest(ids) AS u(id) ORDER BY u.id) AS u
        CROSS JOIN LATERAL (SELECT id FROM factcheck_article WHERE id = u.id FOR NO KEY UPDATE) AS a
    ), fresh AS (
        SELECT l.id, v.*
        FROM locked l
        CROSS JOIN LATERAL (
            SELECT count(*) AS n_claims,
                   count(*) FILTER (WHERE c.verdict = 'unreviewed') AS n_unreviewed,
                   count(*) FILTER (WHERE c.verdict = 'verified') AS n_verified,
                   count(*) FILTER (WHERE c.verdict = 'disputed') AS n_disputed,
                   count(*) FILTER (WHERE c.verdict = 'false') AS n_false,
                   count(*) FILTER (WHERE c.verdict = 'not_claim') AS n_not_claim,
                   -- The conflict's status as a scalar subquery: each link of the claim is looked up by the
                   -- conflict's key, never all open conflicts for each claim.
                   coalesce(sum((
                       SELECT count(*) FROM factcheck_conflict_claims cc
                       WHERE cc.claim_id = c.id
                         AND (SELECT k.status FROM factcheck_conflict k WHERE k.id = cc.conflict_id) = 'open'
                   )), 0) AS n_open_conflicts,
                   coalesce(sum((
                       SELECT count(*) FROM factcheck_checkoffer o
                       WHERE o.claim_id = c.id AND o.band = 'strong' AND o.status <> 'rejected'
                   )), 0) AS n_published_checks
            FROM factcheck_claim c WHERE c.article_id = l.id
        ) v
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
"""


class Migration(migrations.Migration):

    dependencies = [
        ("factcheck", "0013_published_check_keys_in_memory"),
    ]

    # Same counts as before: going back keeps this definition.
    operations = [migrations.RunSQL(REFRESH_SQL, migrations.RunSQL.noop)]
