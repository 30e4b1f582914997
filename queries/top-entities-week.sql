-- name: top-entities-week
-- description: Top entities in the last 7 days of the archive (or up to :end) against the 7 days before.
-- param: end = latest
-- param: limit = 20
WITH bounds AS (
    SELECT CASE WHEN :end = 'latest' THEN date(max(published_at)) ELSE date(:end) END AS d FROM articles
), counts AS (
    SELECT m.entity_id,
           count(DISTINCT CASE WHEN date(a.published_at) > date(b.d, '-7 days') THEN a.id END) AS this_week,
           count(DISTINCT CASE WHEN date(a.published_at) <= date(b.d, '-7 days') THEN a.id END) AS previous_week
    FROM mentions m JOIN articles a ON a.id = m.article_id, bounds b
    WHERE date(a.published_at) > date(b.d, '-14 days') AND date(a.published_at) <= b.d
    GROUP BY m.entity_id
)
SELECT c.entity_id, e.name_ar, e.type, c.this_week, c.previous_week, c.this_week - c.previous_week AS change
FROM counts c JOIN entities e ON e.id = c.entity_id AND e.status = 'accepted'
ORDER BY c.this_week DESC, change DESC
LIMIT :limit;
