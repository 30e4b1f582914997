-- Replace the plain index by one over analysed text (normalised light stems,
-- computed by marsad's text module). The index stores its own copy of the
-- analysed text, so FTS5 integrity-check compares like with like, and stock
-- sqlite3 can MATCH and snippet() it. marsad fills it after this migration
-- (and whenever meta.analyzer_version differs from the binary's).

DROP TRIGGER articles_fts_ai;
DROP TRIGGER articles_fts_ad;
DROP TABLE articles_fts;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, tokenize='unicode61 remove_diacritics 0'
);

DELETE FROM meta WHERE key = 'analyzer_version';
