-- name: top-entities-week
-- description: Top entities (accepted or candidate: status) in the 7 days up to :end against the 7 days before; the window is in week_from..week_to. "latest" is the last day of the latest week holding at least a quarter of an average week's articles, so one stray late article does not empty the week.
-- param: end (date) = latest
-- param: limit (number) = 20
WITH weeks AS (
    SELECT date(published_at, 'weekday 6') AS week_end, count(*) AS n, max(date(published_at)) AS last_day
    FROM articles WHERE published_at IS NOT NULL GROUP BY week_end
), bounds AS (
    SELECT CASE WHEN :end = 'latest' THEN
        (SELECT last_day FROM weeks
         WHERE n * 4 >= (SELECT avg(n) FROM weeks) ORDER BY week_end DESC LIMIT 1)
        ELSE date(:end) END AS d
), counts AS (
    SELECT m.entity_id,
           count(DISTINCT CASE WHEN date(a.published_at) > date(b.d, '-7 days') THEN a.id END) AS this_week,
           count(DISTINCT CASE WHEN date(a.published_at) <= date(b.d, '-7 days') THEN a.id END) AS previous_week
    FROM mentions m JOIN articles a ON a.id = m.article_id, bounds b
    WHERE date(a.published_at) > date(b.d, '-14 days') AND date(a.published_at) <= b.d
    GROUP BY m.entity_id
)
SELECT c.entity_id, e.name_ar, e.type, e.status, c.this_week, c.previous_week, c.this_week - c.previous_week AS change,
       date(b.d, '-6 days') AS week_from, b.d AS week_to
FROM counts c JOIN entities e ON e.id = c.entity_id AND e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL, bounds b
ORDER BY c.this_week DESC, change DESC
LIMIT :limit;
