-- name: new-entities
-- description: Entities first seen in the :days days up to the archive's latest week (the last day of the latest week holding at least a quarter of an average week's articles), dated articles only; the window is in window_from..window_to.
-- param: days (number) = 30
WITH weeks AS (
    SELECT date(published_at, 'weekday 6') AS week_end, count(*) AS n, max(date(published_at)) AS last_day
    FROM articles WHERE published_at IS NOT NULL GROUP BY week_end
), bounds AS (
    SELECT (SELECT last_day FROM weeks
            WHERE n * 4 >= (SELECT avg(n) FROM weeks) ORDER BY week_end DESC LIMIT 1) AS d
)
SELECT e.id AS entity_id, e.name_ar, e.type, e.status, min(a.published_at) AS first_seen,
       count(DISTINCT a.id) AS articles,
       date(b.d, '-' || (:days - 1) || ' days') AS window_from, b.d AS window_to
FROM entities e JOIN mentions m ON m.entity_id = e.id JOIN articles a ON a.id = m.article_id, bounds b
WHERE a.published_at IS NOT NULL AND e.status != 'rejected'
GROUP BY e.id
HAVING date(min(a.published_at)) > date(b.d, '-' || :days || ' days') AND date(min(a.published_at)) <= b.d
ORDER BY first_seen DESC, articles DESC;
