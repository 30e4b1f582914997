-- name: outlets-covering-entity
-- description: Outlets that mention an entity (its id, name or alias), with article counts and dates.
-- param: entity (entity) = khalifa-haftar
-- param: from (date) = any
-- param: to (date) = any
SELECT coalesce(o.name, '(unknown)') AS outlet, count(DISTINCT a.id) AS articles, count(m.id) AS mentions,
       min(a.published_at) AS first_date, max(a.published_at) AS last_date
FROM mentions m JOIN articles a ON a.id = m.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE m.entity_id = :entity
  AND (:from = 'any' OR substr(a.published_at, 1, length(:from)) >= :from)
  AND (:to = 'any' OR substr(a.published_at, 1, length(:to)) <= :to)
GROUP BY outlet
ORDER BY articles DESC;
