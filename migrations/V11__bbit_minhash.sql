-- MinHash signatures keep the low 16 bits of each of their 128 minima
-- (b-bit MinHash): half the size, the same links to within a chance
-- agreement of one in 65,536 per position. The old 32-bit signatures are
-- dropped; marsad recomputes signatures, links and stories on first open
-- (dedup_version is cleared), as it did after V6.

DROP TABLE minhash;
CREATE TABLE minhash (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    sig        BLOB NOT NULL                 -- 128 little-endian u16: the low 16 bits of each minimum
);
DELETE FROM meta WHERE key = 'dedup_version';
