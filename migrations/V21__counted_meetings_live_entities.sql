-- Pairs of people named in one sentence with a meeting word, per day
-- (issue 22), and two indexes for the analysis that ranks entities.
--
-- The pairs are what the saved query who-met-whom counts. It matched its
-- meeting words in sentences_fts at query time, then joined every matching
-- sentence to its mentions: 2.2 s at 300k articles, 12 s at 1M, growing
-- with the archive. The archive now counts them as it counts the other
-- summaries, in the transaction that writes the mentions, for the meeting
-- words kept in meta (key meeting_query, an FTS5 query over sentences_fts).
-- who-met-whom reads this table when its :meeting is those words, and
-- searches as before when a user gives other words.
--
-- person_a < person_b, both of type person when counted (any status: the
-- query keeps accepted and candidate ones, as before); day =
-- substr(published_at, 1, 10), '' when undated; sentences naming both with
-- a meeting word; first and last published_at of those sentences' articles.
CREATE TABLE person_meeting_days (
    person_a   TEXT NOT NULL,
    person_b   TEXT NOT NULL,
    day        TEXT NOT NULL,
    sentences  INTEGER NOT NULL,
    first_date TEXT,
    last_date  TEXT,
    PRIMARY KEY (person_a, person_b, day)
) WITHOUT ROWID;

-- The entities the analysis keeps (accepted or candidate, not merged),
-- with their type: who-met-whom and top-entities-week check each counted
-- row here, without reading the entity's row (scattered over the table:
-- 0.27 s of page reads for 62k checks at 300k articles), and read names
-- only for the rows they keep.
CREATE INDEX entities_live ON entities(id, type)
    WHERE status IN ('accepted', 'candidate') AND merged_into IS NULL;

-- top-entities-week sums two weeks of entity_days by utc_day: with the
-- count in the index it reads no table row (0.26 -> 0.13 s at 300k).
DROP INDEX entity_days_utc;
CREATE INDEX entity_days_utc ON entity_days(utc_day, entity_id, articles);

INSERT INTO meta(key, value) VALUES ('meeting_query',
    'تقي OR يلتق* OR تقا OR استقبل* OR يستقبل* OR استقبال* OR زار OR يزور OR زيار* OR اجتمع* OR يجتمع* OR اجتماع* OR لقاء* OR لقائ*');

-- An archive with mentions gets its counts here; marsad keeps them after.
INSERT INTO person_meeting_days(person_a, person_b, day, sentences, first_date, last_date)
SELECT x.entity_id, y.entity_id, coalesce(substr(a.published_at, 1, 10), ''),
       count(DISTINCT s.id), min(a.published_at), max(a.published_at)
FROM sentences s
JOIN mentions x ON x.article_id = s.article_id AND x.field = s.field AND x.sentence = s.idx
JOIN mentions y ON y.article_id = x.article_id AND y.field = x.field AND y.sentence = x.sentence
                AND y.entity_id > x.entity_id
JOIN entities ea ON ea.id = x.entity_id AND ea.type = 'person'
JOIN entities eb ON eb.id = y.entity_id AND eb.type = 'person'
JOIN articles a ON a.id = s.article_id
WHERE s.id IN (SELECT rowid FROM sentences_fts
               WHERE sentences_fts MATCH (SELECT value FROM meta WHERE key = 'meeting_query'))
GROUP BY x.entity_id, y.entity_id, coalesce(substr(a.published_at, 1, 10), '');
