-- A record with no text is skipped, not an error: each problem says which it
-- is, runs count the skipped ones, and v_runs shows both apart.
ALTER TABLE ingest_errors ADD COLUMN kind TEXT NOT NULL DEFAULT 'error'
    CHECK (kind IN ('error', 'skipped'));
ALTER TABLE runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;

DROP VIEW v_runs;
CREATE VIEW v_runs AS
SELECT r.id AS run_id, r.started_at, r.finished_at, r.status, r.inputs, r.records, r.new_articles,
       r.duplicates, r.unchanged, r.errors, r.skipped, r.bytes, r.args,
       (SELECT group_concat(e.input || coalesce(':' || e.line, '') || ': ' || e.message, char(10))
          FROM ingest_errors e WHERE e.run_id = r.id AND e.kind = 'error') AS error_messages,
       (SELECT group_concat(e.input || coalesce(':' || e.line, '') || ': ' || e.message, char(10))
          FROM ingest_errors e WHERE e.run_id = r.id AND e.kind = 'skipped') AS skipped_records
FROM runs r;

UPDATE view_docs SET description = 'Ingest runs with their counts, status, error messages and skipped records (no text).'
WHERE name = 'v_runs';
