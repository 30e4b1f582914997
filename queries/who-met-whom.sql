-- name: who-met-whom
-- description: Pairs of people (accepted or candidate: status_a, status_b) named in one sentence with a meeting word (التقى، استقبل، زار، اجتمع، لقاء).
-- param: meeting = تقي OR يلتق* OR تقا OR استقبل* OR يستقبل* OR استقبال* OR زار OR يزور OR زيار* OR اجتمع* OR يجتمع* OR اجتماع* OR لقاء* OR لقائ*
-- param: limit (number) = 50
-- param: from (date) = any
-- param: to (date) = any
SELECT x.entity_id AS person_a, ea.name_ar AS name_a, ea.status AS status_a,
       y.entity_id AS person_b, eb.name_ar AS name_b, eb.status AS status_b,
       count(DISTINCT s.id) AS sentences, min(a.published_at) AS first_date, max(a.published_at) AS last_date
FROM mentions x
JOIN mentions y ON y.article_id = x.article_id AND y.field = x.field AND y.sentence = x.sentence AND y.entity_id > x.entity_id
JOIN entities ea ON ea.id = x.entity_id AND ea.type = 'person' AND ea.status IN ('accepted', 'candidate') AND ea.merged_into IS NULL
JOIN entities eb ON eb.id = y.entity_id AND eb.type = 'person' AND eb.status IN ('accepted', 'candidate') AND eb.merged_into IS NULL
JOIN sentences s ON s.article_id = x.article_id AND s.field = x.field AND s.idx = x.sentence
JOIN sentences_fts f ON f.rowid = s.id
JOIN articles a ON a.id = x.article_id
WHERE sentences_fts MATCH :meeting
  AND (:from = 'any' OR substr(a.published_at, 1, length(:from)) >= :from)
  AND (:to = 'any' OR substr(a.published_at, 1, length(:to)) <= :to)
GROUP BY x.entity_id, y.entity_id
ORDER BY sentences DESC, last_date DESC
LIMIT :limit;
