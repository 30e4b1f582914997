-- Indexes for the analyses whose cost grew with the number of entities
-- rather than with the answer (issue 22; measured on a 400k-article archive
-- with 525k discovered entities): `entities --candidates` read every
-- candidate's totals to keep the top 20, and the saved query new-entities
-- every entity's first_seen to keep the last month's.

-- Totals in the order `marsad entities` lists them (articles, then
-- mentions, then id: the table's key follows each entry).
CREATE INDEX entity_totals_rank ON entity_totals(articles DESC, mentions DESC);

-- Entities by the date they were first seen.
CREATE INDEX entity_totals_first_seen ON entity_totals(first_seen);

-- Every entity has its row of totals, with zero counts while nothing names
-- it, so that the views below read the totals in rank order and join each
-- entity to them, instead of joining every entity and sorting. The
-- triggers keep it so for whoever adds or removes an entity (marsad, or
-- sqlite3 by hand); marsad's summaries keep the counts.
INSERT OR IGNORE INTO entity_totals(entity_id, articles, mentions) SELECT id, 0, 0 FROM entities;

CREATE TRIGGER entity_totals_for_new_entity AFTER INSERT ON entities BEGIN
    INSERT OR IGNORE INTO entity_totals(entity_id, articles, mentions) VALUES (new.id, 0, 0);
END;

CREATE TRIGGER entity_totals_for_removed_entity AFTER DELETE ON entities BEGIN
    DELETE FROM entity_totals WHERE entity_id = old.id;
END;

-- The same columns and rows as V18's, read from the totals first (CROSS
-- JOIN fixes that order): `ORDER BY articles DESC LIMIT n` walks the rank
-- index and stops, and v_candidates builds its example sentence only for
-- the rows it returns.
DROP VIEW v_entity_stats;
CREATE VIEW v_entity_stats AS
SELECT t.entity_id, e.name_ar, e.name_en, e.type, e.status,
       t.articles, t.mentions, t.first_seen, t.last_seen
FROM entity_totals t
CROSS JOIN entities e ON e.id = t.entity_id
WHERE e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL;

DROP VIEW v_candidates;
CREATE VIEW v_candidates AS
SELECT t.entity_id, e.name_ar, e.type, t.articles, t.mentions, t.first_seen, t.last_seen,
       (SELECT substr(CASE s.field WHEN 'title' THEN a2.title ELSE a2.body END, s.start + 1, s."end" - s.start)
          FROM mentions m2 JOIN sentences s ON s.article_id = m2.article_id AND s.field = m2.field AND s.idx = m2.sentence
          JOIN articles a2 ON a2.id = m2.article_id
          WHERE m2.entity_id = e.id LIMIT 1) AS example
FROM entity_totals t
CROSS JOIN entities e ON e.id = t.entity_id
WHERE e.status = 'candidate';

-- The pairs by their second entity, with the counts in the index: an
-- entity's partners (its profile, v_cooccurrence for one entity) are read
-- from the index alone instead of one table lookup per pair and month.
-- Measured on the 41k-article archive: no larger (64 MB), and the
-- related-entities query of `entity united-states` 140 -> 46 ms.
DROP INDEX entity_pair_months_b;
CREATE INDEX entity_pair_months_b ON entity_pair_months(entity_b, entity_a, sentences, articles);
