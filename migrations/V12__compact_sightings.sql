-- Sightings take a third of the room they did, and read as before.
--
-- On the 2018 corpus the sightings table and its unique index were 15 MB,
-- most of it repeated: every row held its input's path twice (row and index),
-- the hex of its raw hash twice, and the article's own URL and id again. Now:
--   * origins: each path, '-' or URL once; rows point at it;
--   * raw_sha256: the 32 bytes of the hash, not its 64 hex digits (a value
--     that is not a lowercase SHA-256 in hex, as a hand-made row may hold, is
--     kept as the text it was);
--   * url, external_id: NULL when the same as the article's; '' when the
--     record had none while the article has one.
-- The view `sightings` puts them back together with the columns and values of
-- the old table, so queries and views written against it read the same rows.
-- marsad writes to sighting_rows.

CREATE TABLE origins (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE              -- file path, '-' for stdin, or URL
);
INSERT INTO origins(name) SELECT origin FROM sightings GROUP BY origin ORDER BY min(id);

CREATE TABLE sighting_rows (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    run_id      INTEGER REFERENCES runs(id),
    origin_id   INTEGER NOT NULL REFERENCES origins(id),
    line        INTEGER NOT NULL DEFAULT 0, -- 1-based line of a JSON Lines input; 0 for a whole file
    url         TEXT,                       -- NULL: the article's url; '': none
    external_id TEXT,                       -- NULL: the article's external_id; '': none
    raw_sha256  BLOB NOT NULL,              -- SHA-256 of the input bytes (the file, or the line)
    removed     TEXT,                       -- boilerplate lines cut from the body, as found
    seen_at     TEXT NOT NULL,
    UNIQUE (origin_id, line, raw_sha256)
);
INSERT INTO sighting_rows(id, article_id, run_id, origin_id, line, url, external_id, raw_sha256, removed, seen_at)
SELECT s.id, s.article_id, s.run_id, o.id, s.line,
       CASE WHEN s.url IS a.url THEN NULL ELSE coalesce(s.url, '') END,
       CASE WHEN s.external_id IS a.external_id THEN NULL ELSE coalesce(s.external_id, '') END,
       CASE WHEN length(s.raw_sha256) = 64 AND s.raw_sha256 = lower(s.raw_sha256)
                 AND unhex(s.raw_sha256) IS NOT NULL
            THEN unhex(s.raw_sha256) ELSE s.raw_sha256 END,
       s.removed, s.seen_at
FROM sightings s JOIN origins o ON o.name = s.origin LEFT JOIN articles a ON a.id = s.article_id
ORDER BY s.id;
CREATE INDEX sighting_rows_article ON sighting_rows(article_id);

DROP TABLE sightings;
CREATE VIEW sightings AS
SELECT s.id, s.article_id, s.run_id, o.name AS origin, s.line,
       CASE WHEN s.url IS NULL THEN a.url ELSE nullif(s.url, '') END AS url,
       CASE WHEN s.external_id IS NULL THEN a.external_id ELSE nullif(s.external_id, '') END AS external_id,
       CASE typeof(s.raw_sha256) WHEN 'blob' THEN lower(hex(s.raw_sha256)) ELSE s.raw_sha256 END AS raw_sha256,
       s.removed, s.seen_at
FROM sighting_rows s LEFT JOIN origins o ON o.id = s.origin_id LEFT JOIN articles a ON a.id = s.article_id;
