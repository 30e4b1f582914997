-- The article index keeps no copy of its text. It is an external-content
-- FTS5 table over `articles`: it indexes one analysed term (a normalised
-- light stem) per word of the published title and body, and reads the
-- published text itself from `articles` when a query asks for a column,
-- snippet() or highlight(). Those re-tokenise the article and mark the words
-- at the positions the index gives, so marsad cuts the text into exactly the
-- tokens this tokenizer finds (src/text/unicode61.rs, tested against SQLite):
-- categories 'L* N* Co M*' keeps harakat and other marks inside a word, and
-- tokenchars adds the invisible controls found inside scraped words (U+200B
-- to U+200F, U+202A to U+202E, soft hyphen, BOM; they are written out below
-- and are invisible in most editors).
--
-- Before V10 the index stored its own copy of the analysed text (about 0.86x
-- the article text). marsad refills the new index on first open (the
-- analyser version is cleared here). Because the content is `articles`, the
-- index must never be changed by UPDATE or DELETE on `articles_fts`, and
-- never by 'rebuild' (that would index the published words, not their
-- stems): marsad writes it, and `marsad reindex` rebuilds it.

DROP TABLE articles_fts;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content = 'articles', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*' tokenchars '​‌‍‎‏‪‫‬‭‮­﻿'"
);
INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);

DELETE FROM meta WHERE key = 'analyzer_version';
