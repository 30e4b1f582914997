-- Entities (people, organisations, places), their names and aliases, the
-- sentences that mention them, and mentions with offsets into the published
-- text. marsad seeds the gazetteer from seeds/entities.tsv on first use.

CREATE TABLE entities (
    id        TEXT PRIMARY KEY,             -- stable slug, e.g. 'khalifa-haftar'
    type      TEXT NOT NULL CHECK (type IN ('person', 'org', 'place', 'other')),
    name_ar   TEXT NOT NULL,
    name_en   TEXT,
    wikidata  TEXT,                         -- QID, only where certain
    status    TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'candidate', 'rejected')),
    merged_into TEXT REFERENCES entities(id),
    created_at TEXT NOT NULL
);

-- Every name an entity is matched by: its names ('name'), variants and
-- titles ('alias'), and first names valid only after the full name appeared
-- in the same article ('short'). `normalized` is marsad's normalisation.
CREATE TABLE entity_aliases (
    entity_id  TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'alias' CHECK (kind IN ('name', 'alias', 'short')),
    normalized TEXT NOT NULL,
    PRIMARY KEY (entity_id, alias)
);
CREATE INDEX entity_aliases_normalized ON entity_aliases(normalized);

-- Words that, in the same sentence, mean a name is not this entity.
CREATE TABLE entity_not_near (
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    word      TEXT NOT NULL,
    PRIMARY KEY (entity_id, word)
);

-- Sentences that hold at least one mention; offsets in code points into the
-- article's title or body.
CREATE TABLE sentences (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    field      TEXT NOT NULL CHECK (field IN ('title', 'body')),
    idx        INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    UNIQUE (article_id, field, idx)
);

CREATE TABLE mentions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    entity_id  TEXT NOT NULL REFERENCES entities(id),
    field      TEXT NOT NULL CHECK (field IN ('title', 'body')),
    start      INTEGER NOT NULL,            -- substr(body, start + 1, end - start) = surface
    end        INTEGER NOT NULL,
    surface    TEXT NOT NULL,
    sentence   INTEGER NOT NULL,            -- sentences.idx in the same field
    how        TEXT NOT NULL CHECK (how IN ('name', 'alias', 'short', 'discovered'))
);
CREATE INDEX mentions_entity ON mentions(entity_id, article_id);
CREATE INDEX mentions_article ON mentions(article_id, field, sentence);

-- Analysed names and aliases of each entity (rowid = entities.rowid).
CREATE VIRTUAL TABLE entities_fts USING fts5(names, tokenize = 'unicode61 remove_diacritics 0');
-- Analysed text of each sentence with a mention (rowid = sentences.id).
CREATE VIRTUAL TABLE sentences_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 0');
