-- name: russian-libyan-meetings
-- description: Russian officials meeting Libyan actors, by month: sentences naming one of each with a meeting word.
-- param: russians (entities) = vladimir-putin,sergei-shoigu,andrei-belousov,yunus-bek-yevkurov,sergey-lavrov,mikhail-bogdanov,dmitry-peskov,maria-zakharova,valery-gerasimov,yevgeny-prigozhin,andrei-averyanov,dmitry-medvedev,nikolai-patrushev
-- param: libyans (entities) = khalifa-haftar,khaled-haftar,saddam-haftar,belgasem-haftar,saddiq-haftar,abdul-hamid-dbeibah,fayez-al-sarraj,aguila-saleh,osama-hammad,mohamed-menfi,khaled-al-mishri,fathi-bashagha,saif-al-islam-gaddafi,abdulrazek-al-nadoori,ahmed-al-mismari
-- param: meeting = تقي OR يلتق* OR تقا OR استقبل* OR يستقبل* OR استقبال* OR زار OR يزور OR زيار* OR اجتمع* OR يجتمع* OR اجتماع* OR لقاء* OR لقائ* OR مباحث*
-- param: from (date) = any
-- param: to (date) = any
-- The two lists are split into ids, and the mentions of the list named
-- less (by entity_totals) drive the search: CROSS JOIN keeps that order, and
-- only one of the two mirrored halves returns rows. Driven by the meeting
-- words' matches (140k sentences at 300k articles) it took 4x as long, and
-- driven by the list named more, 2.2-2.4x. The unary + keeps the list of
-- matching sentences a filter, not an index loop. An entity in both lists
-- is not paired with itself.
WITH RECURSIVE
  russians(id, rest) AS (
    SELECT NULL, :russians || ','
    UNION ALL
    SELECT trim(substr(rest, 1, instr(rest, ',') - 1)), substr(rest, instr(rest, ',') + 1)
    FROM russians WHERE rest != ''),
  libyans(id, rest) AS (
    SELECT NULL, :libyans || ','
    UNION ALL
    SELECT trim(substr(rest, 1, instr(rest, ',') - 1)), substr(rest, instr(rest, ',') + 1)
    FROM libyans WHERE rest != ''),
  few(libyans_first) AS (
    SELECT (SELECT coalesce(sum(mentions), 0) FROM entity_totals WHERE entity_id IN (SELECT id FROM libyans))
         < (SELECT coalesce(sum(mentions), 0) FROM entity_totals WHERE entity_id IN (SELECT id FROM russians))),
  pairs(month, russian, libyan, sid, aid) AS (
    SELECT substr(a.published_at, 1, 7), r.entity_id, l.entity_id, s.id, a.id
    FROM (SELECT 1 FROM few WHERE NOT libyans_first) go
    CROSS JOIN russians ri
    CROSS JOIN mentions r ON r.entity_id = ri.id
    CROSS JOIN mentions l ON l.article_id = r.article_id AND l.field = r.field AND l.sentence = r.sentence
    JOIN sentences s ON s.article_id = r.article_id AND s.field = r.field AND s.idx = r.sentence
    JOIN articles a ON a.id = r.article_id
    WHERE l.entity_id IN (SELECT id FROM libyans) AND l.entity_id != r.entity_id
      AND +s.id IN (SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH :meeting)
      AND (:from = 'any' OR substr(a.published_at, 1, length(:from)) >= :from)
      AND (:to = 'any' OR substr(a.published_at, 1, length(:to)) <= :to)
    UNION ALL
    SELECT substr(a.published_at, 1, 7), r.entity_id, l.entity_id, s.id, a.id
    FROM (SELECT 1 FROM few WHERE libyans_first) go
    CROSS JOIN libyans li
    CROSS JOIN mentions l ON l.entity_id = li.id
    CROSS JOIN mentions r ON r.article_id = l.article_id AND r.field = l.field AND r.sentence = l.sentence
    JOIN sentences s ON s.article_id = l.article_id AND s.field = l.field AND s.idx = l.sentence
    JOIN articles a ON a.id = l.article_id
    WHERE r.entity_id IN (SELECT id FROM russians) AND r.entity_id != l.entity_id
      AND +s.id IN (SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH :meeting)
      AND (:from = 'any' OR substr(a.published_at, 1, length(:from)) >= :from)
      AND (:to = 'any' OR substr(a.published_at, 1, length(:to)) <= :to))
SELECT month, russian, libyan,
       count(DISTINCT sid) AS sentences, count(DISTINCT aid) AS articles
FROM pairs
GROUP BY month, russian, libyan
ORDER BY month DESC, sentences DESC, russian, libyan;
