-- Stories are copies of one report (issue 19): an article joins a story only
-- when it is a near-duplicate of the story's canonical article (its first,
-- whose id is the story's id) and the two agree on their particulars (the
-- entities and numbers their bodies name); stories never merge. Each member
-- keeps its similarity to the canonical (1 for the canonical itself).
-- marsad rebuilds every story on `marsad migrate` (dedup_version is cleared).

ALTER TABLE stories ADD COLUMN similarity REAL;   -- estimated Jaccard with the canonical article
DELETE FROM meta WHERE key = 'dedup_version';

DROP VIEW v_stories;
CREATE VIEW v_stories AS
SELECT s.story_id,
       s.story_id AS canonical_id,
       s.article_id, a.external_id,
       (SELECT g.origin FROM sightings g WHERE g.article_id = a.id ORDER BY g.id LIMIT 1) AS origin,
       o.name AS outlet, a.published_at, a.title,
       s.similarity,
       (SELECT count(*) FROM stories z WHERE z.story_id = s.story_id) AS copies
FROM stories s JOIN articles a ON a.id = s.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE s.story_id IN (SELECT story_id FROM stories GROUP BY story_id HAVING count(*) > 1);

UPDATE view_docs
SET description = 'Stories with more than one copy: a row per copy, with the canonical article (the story''s first), outlet, date and similarity to the canonical.'
WHERE name = 'v_stories';
