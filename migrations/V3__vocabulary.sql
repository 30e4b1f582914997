-- The index's vocabulary: which stems exist and in how many articles.
-- marsad drops query alternatives that no article contains; in the shell,
-- `SELECT * FROM articles_vocab WHERE term LIKE 'روس%'` lists indexed stems.
CREATE VIRTUAL TABLE articles_vocab USING fts5vocab(articles_fts, 'row');
