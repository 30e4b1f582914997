-- name: entity-mentions
-- description: An entity's mentions (its id, name or alias), newest first: the article's date, outlet and title, the words as written and their sentence.
-- param: entity (entity) = khalifa-haftar
-- param: from (date) = any
-- param: to (date) = any
-- param: limit (number) = 100
SELECT m.article_id, m.published_at AS date, coalesce(m.outlet, '(unknown)') AS outlet, m.title,
       m.entity_id, m.surface, m.field, m.sentence
FROM v_mentions m
WHERE m.entity_id = :entity
  AND (:from = 'any' OR substr(m.published_at, 1, length(:from)) >= :from)
  AND (:to = 'any' OR substr(m.published_at, 1, length(:to)) <= :to)
ORDER BY m.published_at DESC, m.article_id DESC, m.start
LIMIT :limit;
