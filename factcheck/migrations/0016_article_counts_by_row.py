"""A verdict change moves the article's counters by one; the full recount is planned once per session.

Measured on 2 million claims, the statement-level update trigger cost about 1.5 ms per verdict change: the old and
new rows of every claim update copied into transition tables (also for updates of other columns, such as a
matching run's cluster ids), and a recount planned again on each call (a SQL-language function is). Now a
row-level trigger fires only when a claim's verdict or article changes: a verdict change adds one to the new
verdict's count and takes one from the old one's in a single update of the article row; a claim moved to another
article has both articles recounted. The recount is PL/pgSQL, whose plan the session keeps.
"""

from django.db import migrations

REFRESH_SQL = """
CREATE OR REPLACE FUNCTION factcheck_article_refresh_counts(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET enable_seqscan = off SET jit = off AS $fn$
BEGIN
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
               f.n_open_conflicts, f.n_published_checks);END
$fn$;

CREATE FUNCTION factcheck_claim_verdict_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF OLD.article_id IS DISTINCT FROM NEW.article_id THEN
        PERFORM factcheck_article_refresh_counts(ARRAY[OLD.article_id, NEW.article_id]);
    ELSE
        UPDATE factcheck_article SET
            n_unreviewed = n_unreviewed + (NEW.verdict = 'unreviewed')::int - (OLD.verdict = 'unreviewed')::int,
            n_verified = n_verified + (NEW.verdict = 'verified')::int - (OLD.verdict = 'verified')::int,
            n_disputed = n_disputed + (NEW.verdict = 'disputed')::int - (OLD.verdict = 'disputed')::int,
            n_false = n_false + (NEW.verdict = 'false')::int - (OLD.verdict = 'false')::int,
            n_not_claim = n_not_claim + (NEW.verdict = 'not_claim')::int - (OLD.verdict = 'not_claim')::int
        WHERE id = NEW.article_id;
    END IF;
    RETURN NULL;
END
$fn$;

DROP TRIGGER factcheck_claim_counts_update ON factcheck_claim;
CREATE TRIGGER factcheck_claim_counts_update AFTER UPDATE OF verdict, article_id ON factcheck_claim FOR EACH ROW
    WHEN (OLD.verdict IS DISTINCT FROM NEW.verdict OR OLD.article_id IS DISTINCT FROM NEW.article_id)
    EXECUTE FUNCTION factcheck_claim_verdict_counts();
"""

# Back to the statement-level trigger (the recount stays PL/pgSQL: same counts).
STATEMENT_TRIGGER_SQL = """
DROP TRIGGER factcheck_claim_counts_update ON factcheck_claim;
DROP FUNCTION factcheck_claim_verdict_counts();
CREATE TRIGGER factcheck_claim_counts_update AFTER UPDATE ON factcheck_claim
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION factcheck_claim_counts();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("factcheck", "0015_claim_has_published_check"),
    ]

    operations = [migrations.RunSQL(REFRESH_SQL, STATEMENT_TRIGGER_SQL)]
