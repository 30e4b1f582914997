-- Saved views for repeatable analysis, in marsad and in the plain sqlite3
-- shell. Only SQL that stock sqlite3 3.40 understands: no ORDER BY inside
-- aggregates, no concat(), no JSON operators.

-- One line per view, so sqlite3 users can see what each one holds.
CREATE TABLE view_docs (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    example     TEXT NOT NULL
);

CREATE VIEW v_articles AS
SELECT a.id, a.published_at, substr(a.published_at, 1, 10) AS day, o.name AS outlet, a.title, a.author, a.url,
       a.external_id,
       (SELECT s.origin FROM sightings s WHERE s.article_id = a.id ORDER BY s.id LIMIT 1) AS origin,
       (SELECT count(*) FROM sightings s WHERE s.article_id = a.id) AS sightings,
       a.ingested_at, a.run_id
FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id;

CREATE VIEW v_mentions AS
SELECT m.id AS mention_id, m.entity_id, e.name_ar AS entity, e.type AS entity_type, m.article_id,
       a.published_at, o.name AS outlet, a.title, m.field, m.surface, m.start, m."end", m.sentence AS sentence_idx,
       (SELECT substr(CASE s.field WHEN 'title' THEN a.title ELSE a.body END, s.start + 1, s."end" - s.start)
          FROM sentences s WHERE s.article_id = m.article_id AND s.field = m.field AND s.idx = m.sentence) AS sentence,
       m.how
FROM mentions m
JOIN entities e ON e.id = m.entity_id
JOIN articles a ON a.id = m.article_id
LEFT JOIN outlets o ON o.id = a.outlet_id;

CREATE VIEW v_entity_stats AS
SELECT e.id AS entity_id, e.name_ar, e.name_en, e.type, e.status,
       count(DISTINCT m.article_id) AS articles, count(m.id) AS mentions,
       min(a.published_at) AS first_seen, max(a.published_at) AS last_seen
FROM entities e
LEFT JOIN mentions m ON m.entity_id = e.id
LEFT JOIN articles a ON a.id = m.article_id
WHERE e.status = 'accepted' AND e.merged_into IS NULL
GROUP BY e.id;

CREATE VIEW v_cooccurrence AS
SELECT x.entity_id AS entity_a, y.entity_id AS entity_b,
       ea.name_ar AS name_a, eb.name_ar AS name_b,
       count(DISTINCT CASE WHEN x.field = y.field AND x.sentence = y.sentence
                           THEN x.article_id || '/' || x.field || '/' || x.sentence END) AS same_sentence,
       count(DISTINCT x.article_id) AS same_article,
       min(a.published_at) AS first_date, max(a.published_at) AS last_date
FROM mentions x
JOIN mentions y ON y.article_id = x.article_id AND y.entity_id > x.entity_id
JOIN entities ea ON ea.id = x.entity_id AND ea.status = 'accepted'
JOIN entities eb ON eb.id = y.entity_id AND eb.status = 'accepted'
JOIN articles a ON a.id = x.article_id
GROUP BY x.entity_id, y.entity_id;

CREATE VIEW v_entity_timeline AS
SELECT m.entity_id, e.name_ar, substr(a.published_at, 1, 7) AS month,
       count(DISTINCT m.article_id) AS articles, count(*) AS mentions
FROM mentions m
JOIN entities e ON e.id = m.entity_id
JOIN articles a ON a.id = m.article_id
WHERE a.published_at IS NOT NULL
GROUP BY m.entity_id, month;

CREATE VIEW v_outlet_month AS
SELECT coalesce(o.name, '(unknown)') AS outlet, substr(a.published_at, 1, 7) AS month, count(*) AS articles
FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id
GROUP BY outlet, month;

CREATE VIEW v_duplicate_groups AS
SELECT a.id AS article_id, a.title, s.id AS sighting_id, s.origin, s.line, s.url, s.external_id, s.seen_at,
       s.run_id, (SELECT count(*) FROM sightings t WHERE t.article_id = a.id) AS copies
FROM articles a JOIN sightings s ON s.article_id = a.id
WHERE a.id IN (SELECT article_id FROM sightings GROUP BY article_id HAVING count(*) > 1);

CREATE VIEW v_runs AS
SELECT r.id AS run_id, r.started_at, r.finished_at, r.status, r.inputs, r.records, r.new_articles,
       r.duplicates, r.unchanged, r.errors, r.bytes, r.args,
       (SELECT group_concat(e.input || coalesce(':' || e.line, '') || ': ' || e.message, char(10))
          FROM ingest_errors e WHERE e.run_id = r.id) AS error_messages
FROM runs r;

CREATE VIEW v_candidates AS
SELECT e.id AS entity_id, e.name_ar, count(DISTINCT m.article_id) AS articles, count(m.id) AS mentions,
       min(a.published_at) AS first_seen, max(a.published_at) AS last_seen,
       (SELECT substr(CASE s.field WHEN 'title' THEN a2.title ELSE a2.body END, s.start + 1, s."end" - s.start)
          FROM mentions m2 JOIN sentences s ON s.article_id = m2.article_id AND s.field = m2.field AND s.idx = m2.sentence
          JOIN articles a2 ON a2.id = m2.article_id
          WHERE m2.entity_id = e.id LIMIT 1) AS example
FROM entities e
LEFT JOIN mentions m ON m.entity_id = e.id
LEFT JOIN articles a ON a.id = m.article_id
WHERE e.status = 'candidate'
GROUP BY e.id;

INSERT INTO view_docs(name, description, example) VALUES
 ('v_articles', 'Articles with outlet, date, origin (first sighting) and number of sightings.',
  'SELECT day, outlet, title FROM v_articles ORDER BY published_at DESC LIMIT 10;'),
 ('v_mentions', 'Every mention with its entity, article, date, outlet and the sentence it stands in.',
  'SELECT published_at, surface, sentence FROM v_mentions WHERE entity_id = ''khalifa-haftar'' LIMIT 10;'),
 ('v_entity_stats', 'Per accepted entity: articles, mentions, first and last seen.',
  'SELECT name_ar, articles, mentions FROM v_entity_stats ORDER BY articles DESC LIMIT 20;'),
 ('v_cooccurrence', 'Pairs of entities in the same article and in the same sentence, with first and last date.',
  'SELECT name_a, name_b, same_sentence, same_article FROM v_cooccurrence WHERE entity_a = ''khalifa-haftar'' OR entity_b = ''khalifa-haftar'' ORDER BY same_sentence DESC LIMIT 10;'),
 ('v_entity_timeline', 'Entity by month: articles and mentions.',
  'SELECT month, articles FROM v_entity_timeline WHERE entity_id = ''wagner-group'' ORDER BY month;'),
 ('v_outlet_month', 'Articles per outlet per month.',
  'SELECT * FROM v_outlet_month ORDER BY month DESC, articles DESC LIMIT 20;'),
 ('v_duplicate_groups', 'Articles seen more than once, one row per sighting (file, line, URL, time).',
  'SELECT article_id, copies, origin, line FROM v_duplicate_groups ORDER BY copies DESC LIMIT 20;'),
 ('v_runs', 'Ingest runs with their counts, status and error messages.',
  'SELECT run_id, started_at, status, new_articles, errors FROM v_runs ORDER BY run_id DESC LIMIT 5;'),
 ('v_candidates', 'Discovered candidate names awaiting review, with counts and an example sentence.',
  'SELECT name_ar, articles, example FROM v_candidates ORDER BY articles DESC LIMIT 20;');
