-- The archive: outlets, articles, every sighting of an article, ingest runs,
-- ingest errors, the state of each input file, and a plain full-text index.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE outlets (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    args        TEXT NOT NULL,            -- JSON array of the command line
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted')),
    inputs      INTEGER NOT NULL DEFAULT 0,
    records     INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    bytes       INTEGER NOT NULL DEFAULT 0
);

-- Small columns first and the body last: SQLite reads a row's columns in
-- order, so sorting and filtering on dates and outlets never walks a body.
CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    published_at   TEXT,                  -- ISO 8601, as precise as the source
    date_precision TEXT CHECK (date_precision IN ('second', 'minute', 'day', 'month', 'year')),
    outlet_id      INTEGER REFERENCES outlets(id),
    run_id         INTEGER REFERENCES runs(id),
    ingested_at    TEXT NOT NULL,
    content_sha256 TEXT NOT NULL UNIQUE,  -- of the canonical text (NFC, spaces collapsed, no boilerplate)
    external_id    TEXT,                  -- the record's own id in its input
    date_raw       TEXT,
    author         TEXT,
    url            TEXT,
    language       TEXT,
    extra          TEXT,                  -- JSON object: input fields marsad does not map
    title          TEXT NOT NULL,
    body           TEXT NOT NULL          -- as published, boilerplate removed; offsets count in this
);
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_outlet ON articles(outlet_id, published_at);
CREATE INDEX articles_external ON articles(external_id);

-- Each time an article was seen: which input, which line, which bytes.
CREATE TABLE sightings (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    run_id      INTEGER REFERENCES runs(id),
    origin      TEXT NOT NULL,            -- file path, '-' for stdin, or URL
    line        INTEGER NOT NULL DEFAULT 0, -- 1-based line of a JSON Lines input; 0 for a whole file
    url         TEXT,
    external_id TEXT,
    raw_sha256  TEXT NOT NULL,            -- of the input bytes (the file, or the line)
    removed     TEXT,                     -- boilerplate lines cut from the body, as found
    seen_at     TEXT NOT NULL,
    UNIQUE (origin, line, raw_sha256)
);
CREATE INDEX sightings_article ON sightings(article_id);

CREATE TABLE ingest_errors (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER REFERENCES runs(id),
    input   TEXT NOT NULL,
    line    INTEGER,
    message TEXT NOT NULL,
    at      TEXT NOT NULL
);

-- What marsad last knew of each input file, for incremental runs.
CREATE TABLE inputs (
    path        TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    raw_sha256  TEXT NOT NULL,            -- of the whole file when last read completely
    done_bytes  INTEGER NOT NULL,         -- bytes fully ingested (JSON Lines resume point)
    done_sha256 TEXT NOT NULL,            -- of those first done_bytes
    run_id      INTEGER REFERENCES runs(id)
);

-- Plain full-text index over the published text (replaced by V2).
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
