-- name: entity-timeline
-- description: An entity's articles and mentions (its id, name or alias) month by month, dated articles only.
-- param: entity (entity) = khalifa-haftar
SELECT month, entity_id, name_ar, articles, mentions
FROM v_entity_timeline
WHERE entity_id = :entity
ORDER BY month;
