"""History that the app's own database access cannot rewrite, and a hash chain that shows any rewrite.

- Every event table and `pghistory_context` refuse TRUNCATE (a statement trigger: row triggers don't fire on it).
- Every event table refuses UPDATE and DELETE in a trigger of our own that, unlike pgtrigger's, never reads
  `pgtrigger.ignore`: `pgtrigger.ignore()` or `set_config('pgtrigger.ignore', ...)` can't lift it.
- A context row (who acted, why) may change only in the transaction that created it (pghistory adds to it while
  more events attach); once that transaction has committed it is frozen, and it is never deleted.
- Each event is linked into one hash chain over all event tables when its transaction commits (a deferred
  constraint trigger): `factcheck_historylink` gets the event's table and id, SHA-256 over the event row as JSON
  (nulls left out, so a nullable column added later keeps old hashes) and SHA-256 over the previous link's hash
  and these. Links are taken in commit order under one advisory lock held only while the committing transaction
  writes its links, so writers never wait on each other while they work and can't deadlock on the chain. The
  event rows themselves are never updated, not even to store a hash. Events already there are linked in the
  order they were written.

The functions that write links are SECURITY DEFINER, owned by the role that runs migrations: the app's role
(which has no privilege on the links but SELECT) writes links only through them.
"""

from django.db import migrations, models

CHAIN_LOCK = 7_338_201_558  # pg_advisory_xact_lock key of the chain

FORWARD = """
CREATE FUNCTION factcheck_history_refuse() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'History is append-only: cannot % %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

-- Own-transaction test for a row version's xmin: in progress can only be ours (another transaction's uncommitted
-- row is invisible to us, and an update of a row it changed waits until it commits).
CREATE FUNCTION factcheck_xid_is_current(x xid) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
    cur numeric := pg_current_xact_id()::text::numeric;
BEGIN
    RETURN pg_xact_status(((cur - mod(cur, 4294967296)) + x::text::numeric)::text::xid8) = 'in progress';
EXCEPTION WHEN others THEN
    RETURN false;  -- an id from an earlier epoch: long committed
END
$fn$;

CREATE FUNCTION factcheck_history_context_frozen() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    row_xmin xid;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.created_at = OLD.created_at THEN
        SELECT c.xmin INTO row_xmin FROM pghistory_context c WHERE c.id = OLD.id;
        IF factcheck_xid_is_current(row_xmin) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'History context % is frozen: cannot % it after its transaction committed', OLD.id, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE FUNCTION factcheck_history_append_link(tbl text, event_id bigint, event_row jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    prev record;
    digest text;
BEGIN
    PERFORM pg_advisory_xact_lock(CHAIN_LOCK);
    SELECT l.seq, l.chain_hash INTO prev FROM factcheck_historylink l ORDER BY l.seq DESC LIMIT 1;
    digest := encode(sha256(convert_to(jsonb_strip_nulls(event_row)::text, 'UTF8')), 'hex');
    INSERT INTO factcheck_historylink (seq, event_table, pgh_id, row_hash, chain_hash, linked_at)
    VALUES (
        coalesce(prev.seq, 0) + 1, tbl, event_id, digest,
        encode(sha256(convert_to(coalesce(prev.chain_hash, '') || '|' || tbl || '|' || event_id || '|' || digest,
                                 'UTF8')), 'hex'),
        clock_timestamp()
    );
END
$fn$;
REVOKE ALL ON FUNCTION factcheck_history_append_link(text, bigint, jsonb) FROM PUBLIC;

-- The event row as JSON with fixed output settings, so the hash never depends on the session's time zone.
CREATE FUNCTION factcheck_history_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public SET timezone = 'UTC' SET extra_float_digits = 1 SET bytea_output = 'hex'
AS $fn$
BEGIN
    PERFORM factcheck_history_append_link(TG_TABLE_NAME::text, NEW.pgh_id, to_jsonb(NEW));
    RETURN NULL;
END
$fn$;

CREATE TRIGGER factcheck_history_append_only BEFORE UPDATE OR DELETE ON factcheck_historylink
    FOR EACH ROW EXECUTE FUNCTION factcheck_history_refuse();
CREATE TRIGGER factcheck_history_no_truncate BEFORE TRUNCATE ON factcheck_historylink
    FOR EACH STATEMENT EXECUTE FUNCTION factcheck_history_refuse();
CREATE TRIGGER factcheck_history_context_frozen BEFORE UPDATE OR DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION factcheck_history_context_frozen();
CREATE TRIGGER factcheck_history_no_truncate BEFORE TRUNCATE ON pghistory_context
    FOR EACH STATEMENT EXECUTE FUNCTION factcheck_history_refuse();

SET LOCAL timezone = 'UTC';
SET LOCAL extra_float_digits = 1;
SET LOCAL bytea_output = 'hex';
DO $do$
DECLARE
    tbl text;
    ev record;
BEGIN
    FOR tbl IN SELECT c.table_name FROM information_schema.columns c
               WHERE c.table_schema = current_schema() AND c.column_name = 'pgh_context_id'
               ORDER BY c.table_name LOOP
        PERFORM factcheck_history_protect_event_table(tbl);
    END LOOP;
    -- Events written before the chain began, in the order they were written.
    FOR ev IN EXECUTE (
        SELECT string_agg(format('SELECT %L AS tbl, e.pgh_id, e.pgh_created_at, to_jsonb(e) AS j FROM %I e',
                                 c.table_name, c.table_name), ' UNION ALL ')
               || ' ORDER BY pgh_created_at, tbl, pgh_id'
        FROM information_schema.columns c
        WHERE c.table_schema = current_schema() AND c.column_name = 'pgh_context_id'
    ) LOOP
        PERFORM factcheck_history_append_link(ev.tbl, ev.pgh_id, ev.j);
    END LOOP;
END
$do$;
""".replace("CHAIN_LOCK", str(CHAIN_LOCK))

# Run for every event table: by this migration for those that exist, by later migrations for new ones.
PROTECT_FUNCTION = """
CREATE FUNCTION factcheck_history_protect_event_table(tbl text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER factcheck_history_append_only BEFORE UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION factcheck_history_refuse()', tbl);
    EXECUTE format('CREATE OR REPLACE TRIGGER factcheck_history_no_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION factcheck_history_refuse()', tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS factcheck_history_chain ON %I', tbl);
    EXECUTE format('CREATE CONSTRAINT TRIGGER factcheck_history_chain AFTER INSERT ON %I '
                   'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION factcheck_history_chain()', tbl);
END
$fn$;
"""

BACKWARD = """
DO $do$
DECLARE
    tbl text;
BEGIN
    FOR tbl IN SELECT c.table_name FROM information_schema.columns c
               WHERE c.table_schema = current_schema() AND c.column_name = 'pgh_context_id' LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS factcheck_history_append_only ON %I', tbl);
        EXECUTE format('DROP TRIGGER IF EXISTS factcheck_history_no_truncate ON %I', tbl);
        EXECUTE format('DROP TRIGGER IF EXISTS factcheck_history_chain ON %I', tbl);
    END LOOP;
END
$do$;
DROP TRIGGER IF EXISTS factcheck_history_context_frozen ON pghistory_context;
DROP TRIGGER IF EXISTS factcheck_history_no_truncate ON pghistory_context;
DROP FUNCTION factcheck_history_protect_event_table(text);
DROP FUNCTION factcheck_history_chain();
DROP FUNCTION factcheck_history_append_link(text, bigint, jsonb);
DROP FUNCTION factcheck_history_context_frozen();
DROP FUNCTION factcheck_xid_is_current(xid);
DROP FUNCTION factcheck_history_refuse() CASCADE;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('factcheck', '0017_claim_verdict_raises_version'),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoryVerification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checked_at', models.DateTimeField()),
                ('ok', models.BooleanField()),
                ('events', models.BigIntegerField(help_text='Links checked.')),
                ('head_seq', models.BigIntegerField(default=0)),
                ('head_hash', models.CharField(blank=True, max_length=64)),
                ('problem', models.TextField(blank=True, help_text='The first broken link, in words.')),
            ],
            options={
                'ordering': ['-checked_at', '-id'],
                'get_latest_by': 'checked_at',
            },
        ),
        migrations.CreateModel(
            name='HistoryLink',
            fields=[
                ('seq', models.BigIntegerField(primary_key=True, serialize=False)),
                ('event_table', models.CharField(max_length=63)),
                ('pgh_id', models.BigIntegerField()),
                ('row_hash', models.CharField(max_length=64)),
                ('chain_hash', models.CharField(max_length=64)),
                ('linked_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['seq'],
                'constraints': [models.UniqueConstraint(fields=('event_table', 'pgh_id'), name='historylink_unique_event')],
            },
        ),
        migrations.RunSQL(PROTECT_FUNCTION + FORWARD, BACKWARD),
    ]
