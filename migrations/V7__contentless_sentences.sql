-- The sentence index keeps no copy of its text: it is only ever MATCHed and
-- joined to `sentences` by rowid (the text is in the article, at
-- sentences.start..end). A contentless FTS5 table, as SQLite 3.40 has it,
-- answers MATCH, phrase queries and integrity-check; it is emptied with the
-- 'delete-all' command rather than DELETE. The analysed terms already indexed
-- are carried over, so no re-extraction is needed.

CREATE VIRTUAL TABLE sentences_fts_v7 USING fts5(
    text, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO sentences_fts_v7(rowid, text) SELECT rowid, text FROM sentences_fts;
DROP TABLE sentences_fts;
ALTER TABLE sentences_fts_v7 RENAME TO sentences_fts;
