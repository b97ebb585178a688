"""Every verdict change meets the version check, whatever wrote it.

The services raise a claim's version and set who and when with the verdict. The admin, `manage.py shell` and a
bulk `QuerySet.update()` change the verdict alone: a reviewer's POST made before such a change then matched the
old version and overwrote it silently. A row trigger now raises the version, sets `verdict_at` and sets
`verdict_by` to the user of the history context (the signed-in user in a request, none in a shell) on any verdict
change that did not raise the version itself, so the stale POST is a conflict like any other.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION factcheck_claim_verdict_keeps_version() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    metadata jsonb;
BEGIN
    IF NEW.version > OLD.version THEN
        RETURN NEW;  -- a service raised the version and set who and when itself
    END IF;
    NEW.version := OLD.version + 1;
    NEW.verdict_at := now();
    NEW.verdict_by_id := NULL;
    BEGIN
        metadata := nullif(current_setting('pghistory.context_metadata', true), '')::jsonb;
    EXCEPTION WHEN others THEN
        metadata := NULL;
    END;
    IF jsonb_typeof(metadata -> 'user') = 'number' THEN
        -- Only a user that exists: the context names a person, never a dangling id.
        SELECT u.id INTO NEW.verdict_by_id FROM auth_user u WHERE u.id = (metadata ->> 'user')::bigint;
    END IF;
    RETURN NEW;
END
$fn$;

CREATE TRIGGER factcheck_claim_verdict_keeps_version
BEFORE UPDATE OF verdict ON factcheck_claim
FOR EACH ROW WHEN (OLD.verdict IS DISTINCT FROM NEW.verdict)
EXECUTE FUNCTION factcheck_claim_verdict_keeps_version();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS factcheck_claim_verdict_keeps_version ON factcheck_claim;
DROP FUNCTION IF EXISTS factcheck_claim_verdict_keeps_version();
"""


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0016_article_counts_by_row")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
