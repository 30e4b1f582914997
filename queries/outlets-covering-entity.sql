-- name: outlets-covering-entity
-- description: Outlets that mention an entity (its id, name or alias), with article counts and dates.
-- param: entity (entity) = khalifa-haftar
SELECT coalesce(o.name, '(unknown)') AS outlet, count(DISTINCT a.id) AS articles, count(m.id) AS mentions,
       min(a.published_at) AS first_date, max(a.published_at) AS last_date
FROM mentions m JOIN articles a ON a.id = m.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE m.entity_id = :entity
GROUP BY outlet
ORDER BY articles DESC;
