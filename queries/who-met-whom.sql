-- name: who-met-whom
-- description: Pairs of people (accepted or candidate: status_a, status_b) named in one sentence with a meeting word (التقى، استقبل، زار، اجتمع، لقاء).
-- param: meeting = تقي OR يلتق* OR تقا OR استقبل* OR يستقبل* OR استقبال* OR زار OR يزور OR زيار* OR اجتمع* OR يجتمع* OR اجتماع* OR لقاء* OR لقائ*
-- param: limit (number) = 50
-- param: from (date) = any
-- param: to (date) = any
-- When :meeting is the archive's meeting words (meta meeting_query, the
-- default above), the pairs are read from person_meeting_days, which the
-- archive keeps counted; other words are matched in sentences_fts here, at
-- a cost that grows with their matches. Living people (accepted or
-- candidate, not merged) are found in the index that holds only live
-- entities, so that ranking every pair reads no entity row; names are read
-- for the pairs kept. The search half starts from a row that exists only for
-- other words (CROSS JOIN keeps it the outer loop), so with the default
-- words it reads nothing.
WITH counted AS (
    SELECT person_a, person_b, sum(sentences) AS sentences,
           min(first_date) AS first_date, max(last_date) AS last_date
    FROM person_meeting_days
    WHERE :meeting = (SELECT value FROM meta WHERE key = 'meeting_query')
      AND (:from = 'any' OR substr(day, 1, length(:from)) >= :from)
      AND (:to = 'any' OR substr(day, 1, length(:to)) <= :to)
    GROUP BY person_a, person_b
), kept AS (
    SELECT * FROM counted c
    WHERE EXISTS (SELECT 1 FROM entities e INDEXED BY entities_live
                  WHERE e.id = c.person_a AND e.type = 'person' AND e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL)
      AND EXISTS (SELECT 1 FROM entities e INDEXED BY entities_live
                  WHERE e.id = c.person_b AND e.type = 'person' AND e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL)
    ORDER BY sentences DESC, last_date DESC, person_a, person_b
    LIMIT :limit
)
SELECT k.person_a, ea.name_ar AS name_a, ea.status AS status_a,
       k.person_b, eb.name_ar AS name_b, eb.status AS status_b,
       k.sentences, k.first_date, k.last_date
FROM kept k
JOIN entities ea ON ea.id = k.person_a
JOIN entities eb ON eb.id = k.person_b
UNION ALL
SELECT x.entity_id, ea.name_ar, ea.status,
       y.entity_id, eb.name_ar, eb.status,
       count(DISTINCT s.id), min(a.published_at), max(a.published_at)
FROM (SELECT 1 WHERE :meeting IS NOT (SELECT value FROM meta WHERE key = 'meeting_query')) other_words
CROSS JOIN sentences_fts f
JOIN sentences s ON s.id = f.rowid
JOIN mentions x ON x.article_id = s.article_id AND x.field = s.field AND x.sentence = s.idx
JOIN mentions y ON y.article_id = x.article_id AND y.field = x.field AND y.sentence = x.sentence AND y.entity_id > x.entity_id
JOIN entities ea ON ea.id = x.entity_id AND ea.type = 'person' AND ea.status IN ('accepted', 'candidate') AND ea.merged_into IS NULL
JOIN entities eb ON eb.id = y.entity_id AND eb.type = 'person' AND eb.status IN ('accepted', 'candidate') AND eb.merged_into IS NULL
JOIN articles a ON a.id = x.article_id
WHERE sentences_fts MATCH :meeting
  AND (:from = 'any' OR substr(a.published_at, 1, length(:from)) >= :from)
  AND (:to = 'any' OR substr(a.published_at, 1, length(:to)) <= :to)
GROUP BY x.entity_id, y.entity_id
ORDER BY 7 DESC, 9 DESC, 1, 4
LIMIT :limit;
