-- Entities beyond the gazetteer (issue 20): names the recogniser or a title
-- finds are entities with status 'candidate' and a readable id, and the
-- views that counted only accepted entities now cover candidates too, with
-- their status; rejected and merged ones stay out. An entity may name its
-- country (a place entity): its generic names (وزارة الداخلية) are linked
-- only in articles that name that country or something in it.

ALTER TABLE entities ADD COLUMN country TEXT;   -- entities.id of a place, or NULL

DROP VIEW v_entity_stats;
CREATE VIEW v_entity_stats AS
SELECT e.id AS entity_id, e.name_ar, e.name_en, e.type, e.status,
       count(DISTINCT m.article_id) AS articles, count(m.id) AS mentions,
       min(a.published_at) AS first_seen, max(a.published_at) AS last_seen
FROM entities e
LEFT JOIN mentions m ON m.entity_id = e.id
LEFT JOIN articles a ON a.id = m.article_id
WHERE e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL
GROUP BY e.id;

DROP VIEW v_cooccurrence;
CREATE VIEW v_cooccurrence AS
SELECT x.entity_id AS entity_a, y.entity_id AS entity_b,
       ea.name_ar AS name_a, eb.name_ar AS name_b,
       ea.status AS status_a, eb.status AS status_b,
       count(DISTINCT CASE WHEN x.field = y.field AND x.sentence = y.sentence
                           THEN x.article_id || '/' || x.field || '/' || x.sentence END) AS sentences_with_both,
       count(DISTINCT x.article_id) AS articles_with_both,
       min(a.published_at) AS first_date, max(a.published_at) AS last_date
FROM mentions x
JOIN mentions y ON y.article_id = x.article_id AND y.entity_id > x.entity_id
JOIN entities ea ON ea.id = x.entity_id AND ea.status IN ('accepted', 'candidate') AND ea.merged_into IS NULL
JOIN entities eb ON eb.id = y.entity_id AND eb.status IN ('accepted', 'candidate') AND eb.merged_into IS NULL
JOIN articles a ON a.id = x.article_id
GROUP BY x.entity_id, y.entity_id;

DROP VIEW v_candidates;
CREATE VIEW v_candidates AS
SELECT e.id AS entity_id, e.name_ar, e.type, count(DISTINCT m.article_id) AS articles, count(m.id) AS mentions,
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

UPDATE view_docs
SET description = 'Per entity, accepted or candidate (status): articles, mentions, first and last seen.'
WHERE name = 'v_entity_stats';
UPDATE view_docs
SET description = 'Pairs of entities, accepted or candidate (status_a, status_b): sentences_with_both (sentences naming both) and articles_with_both (articles naming both), with first and last date.'
WHERE name = 'v_cooccurrence';
