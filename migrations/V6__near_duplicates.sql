-- Near-duplicates: MinHash signatures, LSH band keys, links between copies
-- with their estimated similarity, and stories (groups of copies). marsad
-- fills them on ingest; an archive migrated from V5 is filled on first open.

CREATE TABLE minhash (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    sig        BLOB NOT NULL                 -- 128 little-endian u32 minima
);

CREATE TABLE lsh (
    key        INTEGER NOT NULL,             -- band number << 56 xor hash of the band's rows
    article_id INTEGER NOT NULL REFERENCES articles(id),
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;

CREATE TABLE near_duplicates (
    a          INTEGER NOT NULL REFERENCES articles(id),
    b          INTEGER NOT NULL REFERENCES articles(id),   -- a < b
    similarity REAL NOT NULL,                              -- estimated Jaccard of 3-word shingles
    PRIMARY KEY (a, b)
);
CREATE INDEX near_duplicates_b ON near_duplicates(b);

-- Every article's story: the smallest article id of its group of copies.
CREATE TABLE stories (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    story_id   INTEGER NOT NULL
);
CREATE INDEX stories_story ON stories(story_id);

CREATE VIEW v_stories AS
SELECT s.story_id,
       (SELECT x.article_id FROM stories x JOIN articles y ON y.id = x.article_id
         WHERE x.story_id = s.story_id
         ORDER BY y.published_at IS NULL, y.published_at, length(y.body) DESC, y.id LIMIT 1) AS canonical_id,
       s.article_id, a.external_id,
       (SELECT g.origin FROM sightings g WHERE g.article_id = a.id ORDER BY g.id LIMIT 1) AS origin,
       o.name AS outlet, a.published_at, a.title,
       (SELECT max(d.similarity) FROM near_duplicates d WHERE d.a = s.article_id OR d.b = s.article_id) AS similarity,
       (SELECT count(*) FROM stories z WHERE z.story_id = s.story_id) AS copies
FROM stories s JOIN articles a ON a.id = s.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE s.story_id IN (SELECT story_id FROM stories GROUP BY story_id HAVING count(*) > 1);

INSERT INTO view_docs(name, description, example) VALUES
 ('v_stories', 'Stories with more than one copy: a row per copy, with the canonical article, outlet, date and similarity.',
  'SELECT story_id, copies, outlet, published_at, title FROM v_stories ORDER BY copies DESC, story_id LIMIT 20;');
