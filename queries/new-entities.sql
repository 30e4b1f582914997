-- name: new-entities
-- description: Entities first seen in the :days days up to the archive's latest week (the last day of the latest week holding at least a quarter of an average week's articles), dated articles only; the window is in window_from..window_to.
-- param: days (number) = 30
WITH weeks AS (
    SELECT CASE utc_day WHEN '' THEN NULL ELSE date(utc_day, 'weekday 6') END AS week_end,
           sum(articles) AS n, max(nullif(utc_day, '')) AS last_day
    FROM outlet_days WHERE day != '' GROUP BY week_end
), bounds AS (
    SELECT (SELECT last_day FROM weeks
            WHERE n * 4 >= (SELECT avg(n) FROM weeks) ORDER BY week_end DESC LIMIT 1) AS d
)
SELECT e.id AS entity_id, e.name_ar, e.type, e.status, t.first_seen,
       t.articles - coalesce(u.articles, 0) AS articles,
       date(b.d, '-' || (:days - 1) || ' days') AS window_from, b.d AS window_to
FROM bounds b
-- A day's margin each side on the text of first_seen (its own day may be a
-- day off its UTC day) lets the index find the window; date() decides.
JOIN entity_totals t ON t.first_seen >= date(b.d, '-' || (:days + 1) || ' days')
                    AND t.first_seen < date(b.d, '+2 days')
JOIN entities e ON e.id = t.entity_id
LEFT JOIN entity_days u ON u.entity_id = e.id AND u.day = '' AND u.utc_day = ''
WHERE e.status != 'rejected'
  AND date(t.first_seen) > date(b.d, '-' || :days || ' days') AND date(t.first_seen) <= b.d
ORDER BY t.first_seen DESC, articles DESC, e.id;
