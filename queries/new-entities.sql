-- name: new-entities
-- description: Entities first seen in the last :days days of the archive (dated articles only).
-- param: days = 30
SELECT e.id AS entity_id, e.name_ar, e.type, e.status, min(a.published_at) AS first_seen,
       count(DISTINCT a.id) AS articles
FROM entities e JOIN mentions m ON m.entity_id = e.id JOIN articles a ON a.id = m.article_id
WHERE a.published_at IS NOT NULL AND e.status != 'rejected'
GROUP BY e.id
HAVING date(min(a.published_at)) > date((SELECT max(published_at) FROM articles), '-' || :days || ' days')
ORDER BY first_seen DESC, articles DESC;
