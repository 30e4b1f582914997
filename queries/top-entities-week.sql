-- name: top-entities-week
-- description: Top entities (accepted or candidate: status) in the 7 days up to :end (a day; a month or year: its last day) against the 7 days before; the window is in week_from..week_to. "latest" is the last day of the latest week holding at least a quarter of an average week's articles, so one stray late article does not empty the week.
-- param: end (date) = latest
-- param: limit (number) = 20
WITH weeks AS (
    SELECT CASE utc_day WHEN '' THEN NULL ELSE date(utc_day, 'weekday 6') END AS week_end,
           sum(articles) AS n, max(nullif(utc_day, '')) AS last_day
    FROM outlet_days WHERE day != '' GROUP BY week_end
), bounds AS (
    SELECT CASE WHEN :end = 'latest' THEN
        (SELECT last_day FROM weeks
         WHERE n * 4 >= (SELECT avg(n) FROM weeks) ORDER BY week_end DESC LIMIT 1)
        -- A month or a year ends on its last day (date('2018') would be a Julian day).
        WHEN length(:end) = 4 THEN :end || '-12-31'
        WHEN length(:end) = 7 THEN date(:end || '-01', '+1 month', '-1 day')
        ELSE date(:end) END AS d
), counts AS (
    SELECT d.entity_id,
           sum(CASE WHEN d.utc_day > date(b.d, '-7 days') THEN d.articles ELSE 0 END) AS this_week,
           sum(CASE WHEN d.utc_day <= date(b.d, '-7 days') THEN d.articles ELSE 0 END) AS previous_week
    FROM entity_days d, bounds b
    WHERE d.utc_day > date(b.d, '-14 days') AND d.utc_day <= b.d
    GROUP BY d.entity_id
), kept AS (
    -- Live entities are checked in their index, without reading their rows;
    -- names are read for the rows kept.
    SELECT c.* FROM counts c
    WHERE EXISTS (SELECT 1 FROM entities e INDEXED BY entities_live
                  WHERE e.id = c.entity_id AND e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL)
    ORDER BY c.this_week DESC, c.this_week - c.previous_week DESC, c.entity_id
    LIMIT :limit
)
SELECT k.entity_id, e.name_ar, e.type, e.status, k.this_week, k.previous_week, k.this_week - k.previous_week AS change,
       date(b.d, '-6 days') AS week_from, b.d AS week_to
FROM kept k JOIN entities e ON e.id = k.entity_id, bounds b
ORDER BY k.this_week DESC, change DESC, k.entity_id
LIMIT :limit;
