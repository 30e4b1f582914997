-- Summaries of the mentions and articles (issue 22): the counts the views
-- and analysis commands report, kept in the archive so that they read a
-- few rows instead of aggregating every mention. marsad writes them in the
-- same transaction as the mentions and articles they summarise (ingest,
-- reextract, entity merge/accept/reject); `marsad check` recomputes them
-- and reports any difference. This migration creates them empty; marsad
-- fills them on the next `migrate` or `ingest` (meta summary_version, as
-- dedup_version after V6 and V11). Dates are cut from published_at as the
-- views cut them: day = substr(published_at, 1, 10), utc_day =
-- date(published_at) (it differs near midnight with a UTC offset), month =
-- substr(published_at, 1, 7); '' when the article has no date (or, for
-- utc_day, no full date). Every entity, whatever its status, has its rows;
-- the views keep accepted and candidate ones, as before.

-- Per entity: articles and mentions, first and last published_at.
CREATE TABLE entity_totals (
    entity_id  TEXT PRIMARY KEY,
    articles   INTEGER NOT NULL,
    mentions   INTEGER NOT NULL,
    first_seen TEXT,
    last_seen  TEXT
) WITHOUT ROWID;

-- Per entity and day: articles and mentions, first and last published_at.
CREATE TABLE entity_days (
    entity_id  TEXT NOT NULL,
    day        TEXT NOT NULL,
    utc_day    TEXT NOT NULL,
    articles   INTEGER NOT NULL,
    mentions   INTEGER NOT NULL,
    first_seen TEXT,
    last_seen  TEXT,
    PRIMARY KEY (entity_id, day, utc_day)
) WITHOUT ROWID;
CREATE INDEX entity_days_utc ON entity_days(utc_day, entity_id);

-- Per pair of entities (entity_a < entity_b) and month: sentences naming
-- both, articles naming both, first and last published_at.
CREATE TABLE entity_pair_months (
    entity_a   TEXT NOT NULL,
    entity_b   TEXT NOT NULL,
    month      TEXT NOT NULL,
    sentences  INTEGER NOT NULL,
    articles   INTEGER NOT NULL,
    first_date TEXT,
    last_date  TEXT,
    PRIMARY KEY (entity_a, entity_b, month)
) WITHOUT ROWID;
CREATE INDEX entity_pair_months_b ON entity_pair_months(entity_b, entity_a);

-- Per outlet (0: none) and day: articles.
CREATE TABLE outlet_days (
    outlet_id INTEGER NOT NULL,
    day       TEXT NOT NULL,
    utc_day   TEXT NOT NULL,
    articles  INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, day, utc_day)
) WITHOUT ROWID;

DROP VIEW v_entity_stats;
CREATE VIEW v_entity_stats AS
SELECT e.id AS entity_id, e.name_ar, e.name_en, e.type, e.status,
       coalesce(t.articles, 0) AS articles, coalesce(t.mentions, 0) AS mentions,
       t.first_seen, t.last_seen
FROM entities e
LEFT JOIN entity_totals t ON t.entity_id = e.id
WHERE e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL;

DROP VIEW v_cooccurrence;
CREATE VIEW v_cooccurrence AS
SELECT p.entity_a, p.entity_b, ea.name_ar AS name_a, eb.name_ar AS name_b,
       ea.status AS status_a, eb.status AS status_b,
       sum(p.sentences) AS sentences_with_both, sum(p.articles) AS articles_with_both,
       min(p.first_date) AS first_date, max(p.last_date) AS last_date
FROM entity_pair_months p
JOIN entities ea ON ea.id = p.entity_a AND ea.status IN ('accepted', 'candidate') AND ea.merged_into IS NULL
JOIN entities eb ON eb.id = p.entity_b AND eb.status IN ('accepted', 'candidate') AND eb.merged_into IS NULL
GROUP BY p.entity_a, p.entity_b;

DROP VIEW v_entity_timeline;
CREATE VIEW v_entity_timeline AS
SELECT d.entity_id, e.name_ar, substr(d.day, 1, 7) AS month,
       sum(d.articles) AS articles, sum(d.mentions) AS mentions
FROM entity_days d
JOIN entities e ON e.id = d.entity_id
WHERE d.day != ''
GROUP BY d.entity_id, month;

CREATE VIEW v_entity_week AS
SELECT d.entity_id, e.name_ar, e.status, date(d.utc_day, '-6 days', 'weekday 1') AS week,
       sum(d.articles) AS articles, sum(d.mentions) AS mentions
FROM entity_days d
JOIN entities e ON e.id = d.entity_id
WHERE d.utc_day != ''
GROUP BY d.entity_id, week;

DROP VIEW v_outlet_month;
CREATE VIEW v_outlet_month AS
SELECT coalesce(o.name, '(unknown)') AS outlet, nullif(substr(d.day, 1, 7), '') AS month,
       sum(d.articles) AS articles
FROM outlet_days d LEFT JOIN outlets o ON o.id = d.outlet_id
GROUP BY outlet, month;

DROP VIEW v_candidates;
CREATE VIEW v_candidates AS
SELECT e.id AS entity_id, e.name_ar, e.type, coalesce(t.articles, 0) AS articles,
       coalesce(t.mentions, 0) AS mentions, t.first_seen, t.last_seen,
       (SELECT substr(CASE s.field WHEN 'title' THEN a2.title ELSE a2.body END, s.start + 1, s."end" - s.start)
          FROM mentions m2 JOIN sentences s ON s.article_id = m2.article_id AND s.field = m2.field AND s.idx = m2.sentence
          JOIN articles a2 ON a2.id = m2.article_id
          WHERE m2.entity_id = e.id LIMIT 1) AS example
FROM entities e
LEFT JOIN entity_totals t ON t.entity_id = e.id
WHERE e.status = 'candidate';

INSERT INTO view_docs(name, description, example) VALUES
 ('v_entity_week', 'Entity by week (week: the Monday it starts on, in UTC, as `marsad entity --by week`): articles and mentions, with the entity''s status.',
  'SELECT week, articles FROM v_entity_week WHERE entity_id = ''wagner-group'' ORDER BY week;');
