-- v_cooccurrence's two counts had names a reader mixed up (same_sentence,
-- same_article, side by side): they now say what they count.
DROP VIEW v_cooccurrence;
CREATE VIEW v_cooccurrence AS
SELECT x.entity_id AS entity_a, y.entity_id AS entity_b,
       ea.name_ar AS name_a, eb.name_ar AS name_b,
       count(DISTINCT CASE WHEN x.field = y.field AND x.sentence = y.sentence
                           THEN x.article_id || '/' || x.field || '/' || x.sentence END) AS sentences_with_both,
       count(DISTINCT x.article_id) AS articles_with_both,
       min(a.published_at) AS first_date, max(a.published_at) AS last_date
FROM mentions x
JOIN mentions y ON y.article_id = x.article_id AND y.entity_id > x.entity_id
JOIN entities ea ON ea.id = x.entity_id AND ea.status = 'accepted'
JOIN entities eb ON eb.id = y.entity_id AND eb.status = 'accepted'
JOIN articles a ON a.id = x.article_id
GROUP BY x.entity_id, y.entity_id;

UPDATE view_docs
SET description = 'Pairs of entities: sentences_with_both (sentences naming both) and articles_with_both (articles naming both), with first and last date.',
    example = 'SELECT name_a, name_b, sentences_with_both, articles_with_both FROM v_cooccurrence WHERE entity_a = ''khalifa-haftar'' OR entity_b = ''khalifa-haftar'' ORDER BY sentences_with_both DESC LIMIT 10;'
WHERE name = 'v_cooccurrence';
