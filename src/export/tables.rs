//! What `export --format parquet` writes: one [`Table`] entry per dataset.
//! Adding a dataset (a summary table, say) is one more entry in [`TABLES`]:
//! its columns with their SQL, the rows it reads, the key that grows with
//! new rows, and the cheap values that tell when an old row changed.
//!
//! Every SQL text here is a constant: nothing the user gives reaches it (the
//! export takes no filter), and the partition and key bounds are bound as
//! parameters.

/// A column's type in the Parquet files (docs/parquet.md lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// INT64, nullable.
    Int,
    /// DOUBLE, nullable.
    Real,
    /// BYTE_ARRAY annotated STRING (UTF-8), nullable.
    Text,
    /// LIST<STRING>, never null (an empty list instead); the SQL gives a
    /// JSON array of strings.
    List,
    /// LIST<STRING>: the distinct analysed index terms (what `articles_fts`
    /// indexes, as `marsad analyze` shows in its `stem` column) of the text
    /// the SQL gives, sorted.
    Terms,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: Type,
    /// Its value, an SQL expression over the table's FROM clause.
    pub sql: &'static str,
}

/// How a dataset's files are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `TABLE/month=YYYY-MM/` by the publication month of the article (the
    /// FROM clause calls it `a`); `month=undated` for the others.
    ByMonth,
    /// `TABLE/` alone: small tables, rewritten whole when they change.
    Whole,
}

#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub layout: Layout,
    pub columns: &'static [Column],
    /// FROM and JOINs of the exported rows.
    pub from: &'static str,
    /// An integer that new rows have above every old row's (an id); an
    /// incremental run appends the rows above the last run's maximum.
    pub key: &'static str,
    /// The largest key now.
    pub max_key: &'static str,
    /// Values that change when an old row changes, hashed to detect it, and
    /// the FROM clause they are read from (cheap: no article text). Empty:
    /// every column, from `from` (tables with no text to spare).
    pub fingerprint: &'static [&'static str],
    pub fingerprint_from: &'static str,
}

/// The month of `a.published_at`, or `undated`: the partition of a row.
pub const MONTH: &str = "CASE WHEN a.published_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' \
     THEN substr(a.published_at, 1, 7) ELSE 'undated' END";

/// The partition value of articles without a publication month.
pub const UNDATED: &str = "undated";

const fn col(name: &'static str, ty: Type, sql: &'static str) -> Column {
    Column { name, ty, sql }
}

use Type::*;

/// The datasets, in the order they are written.
pub const TABLES: &[Table] = &[
    Table {
        name: "articles",
        layout: Layout::ByMonth,
        columns: &[
            col("id", Int, "a.id"),
            col("published_at", Text, "a.published_at"),
            col("date_precision", Text, "a.date_precision"),
            col("date_raw", Text, "a.date_raw"),
            col("outlet", Text, "o.name"),
            col("run_id", Int, "a.run_id"),
            col("ingested_at", Text, "a.ingested_at"),
            col("content_sha256", Text, "a.content_sha256"),
            col("external_id", Text, "a.external_id"),
            col("author", Text, "a.author"),
            col("url", Text, "a.url"),
            col("language", Text, "a.language"),
            col("extra", Text, "a.extra"),
            col("title", Text, "a.title"),
            col("body", Text, "a.body"),
            col("terms", Terms, "a.title || char(10) || a.body"),
        ],
        from: "articles a LEFT JOIN outlets o ON o.id = a.outlet_id",
        key: "a.id",
        max_key: "SELECT max(id) FROM articles",
        // Articles never change once stored (their content hash is their
        // identity); an index-only read of id and date notices one removed.
        fingerprint: &["a.id", "a.published_at"],
        fingerprint_from: "articles a",
    },
    Table {
        name: "sightings",
        layout: Layout::ByMonth,
        columns: &[
            col("id", Int, "s.id"),
            col("article_id", Int, "s.article_id"),
            col("run_id", Int, "s.run_id"),
            col("origin", Text, "g.name"),
            col("line", Int, "s.line"),
            col(
                "url",
                Text,
                "CASE WHEN s.url IS NULL THEN a.url ELSE nullif(s.url, '') END",
            ),
            col(
                "external_id",
                Text,
                "CASE WHEN s.external_id IS NULL THEN a.external_id ELSE nullif(s.external_id, '') END",
            ),
            col(
                "raw_sha256",
                Text,
                "CASE typeof(s.raw_sha256) WHEN 'blob' THEN lower(hex(s.raw_sha256)) ELSE s.raw_sha256 END",
            ),
            col("removed", Text, "s.removed"),
            col("seen_at", Text, "s.seen_at"),
        ],
        from: "sighting_rows s JOIN articles a ON a.id = s.article_id \
               LEFT JOIN origins g ON g.id = s.origin_id",
        key: "s.id",
        max_key: "SELECT max(id) FROM sighting_rows",
        fingerprint: &["s.id", "s.article_id"],
        fingerprint_from: "articles a CROSS JOIN sighting_rows s ON s.article_id = a.id",
    },
    Table {
        name: "mentions",
        layout: Layout::ByMonth,
        columns: &[
            col("id", Int, "m.id"),
            col("article_id", Int, "m.article_id"),
            col("entity_id", Text, "m.entity_id"),
            col("field", Text, "m.field"),
            col("start", Int, "m.start"),
            col("end", Int, "m.\"end\""),
            col("surface", Text, "m.surface"),
            col("sentence", Int, "m.sentence"),
            col(
                "sentence_text",
                Text,
                "(SELECT substr(CASE s.field WHEN 'title' THEN a.title ELSE a.body END, s.start + 1, s.\"end\" - s.start) \
                 FROM sentences s WHERE s.article_id = m.article_id AND s.field = m.field AND s.idx = m.sentence)",
            ),
            col("how", Text, "m.how"),
        ],
        from: "mentions m JOIN articles a ON a.id = m.article_id",
        key: "m.article_id",
        max_key: "SELECT max(id) FROM articles",
        // `reextract` and entity merges replace old articles' mentions: every
        // value but the sentence text (which follows from the others).
        fingerprint: &[
            "m.id",
            "m.article_id",
            "m.entity_id",
            "m.field",
            "m.start",
            "m.\"end\"",
            "m.surface",
            "m.sentence",
            "m.how",
        ],
        fingerprint_from: "articles a CROSS JOIN mentions m ON m.article_id = a.id",
    },
    Table {
        name: "near_duplicates",
        layout: Layout::ByMonth,
        columns: &[
            col("a", Int, "d.a"),
            col("b", Int, "d.b"),
            col("similarity", Real, "d.similarity"),
        ],
        // A link belongs with its later article, b (a < b).
        from: "near_duplicates d JOIN articles a ON a.id = d.b",
        key: "d.b",
        max_key: "SELECT max(id) FROM articles",
        fingerprint: &["d.a", "d.b", "d.similarity"],
        fingerprint_from: "articles a CROSS JOIN near_duplicates d ON d.b = a.id",
    },
    Table {
        name: "stories",
        layout: Layout::ByMonth,
        columns: &[
            col("article_id", Int, "s.article_id"),
            col("story_id", Int, "s.story_id"),
            col("similarity", Real, "s.similarity"),
        ],
        from: "stories s JOIN articles a ON a.id = s.article_id",
        key: "s.article_id",
        max_key: "SELECT max(id) FROM articles",
        fingerprint: &["s.article_id", "s.story_id", "s.similarity"],
        fingerprint_from: "articles a CROSS JOIN stories s ON s.article_id = a.id",
    },
    Table {
        name: "entities",
        layout: Layout::Whole,
        columns: &[
            col("id", Text, "e.id"),
            col("type", Text, "e.type"),
            col("name_ar", Text, "e.name_ar"),
            col("name_en", Text, "e.name_en"),
            col("wikidata", Text, "e.wikidata"),
            col("status", Text, "e.status"),
            col("merged_into", Text, "e.merged_into"),
            col("country", Text, "e.country"),
            col("created_at", Text, "e.created_at"),
            col(
                "names",
                List,
                "(SELECT json_group_array(alias) FROM (SELECT alias FROM entity_aliases \
                  WHERE entity_id = e.id AND kind = 'name' ORDER BY alias))",
            ),
            col(
                "aliases",
                List,
                "(SELECT json_group_array(alias) FROM (SELECT alias FROM entity_aliases \
                  WHERE entity_id = e.id AND kind = 'alias' ORDER BY alias))",
            ),
            col(
                "short_names",
                List,
                "(SELECT json_group_array(alias) FROM (SELECT alias FROM entity_aliases \
                  WHERE entity_id = e.id AND kind = 'short' ORDER BY alias))",
            ),
        ],
        from: "entities e",
        key: "0",
        max_key: "SELECT 0",
        fingerprint: &[
            "e.id",
            "e.type",
            "e.name_ar",
            "e.name_en",
            "e.wikidata",
            "e.status",
            "e.merged_into",
            "e.country",
            "e.created_at",
            "(SELECT group_concat(kind || ':' || alias, char(31)) FROM \
              (SELECT kind, alias FROM entity_aliases WHERE entity_id = e.id ORDER BY kind, alias))",
        ],
        fingerprint_from: "entities e",
    },
    Table {
        name: "runs",
        layout: Layout::Whole,
        columns: &[
            col("id", Int, "r.id"),
            col("started_at", Text, "r.started_at"),
            col("finished_at", Text, "r.finished_at"),
            col("args", Text, "r.args"),
            col("status", Text, "r.status"),
            col("inputs", Int, "r.inputs"),
            col("records", Int, "r.records"),
            col("new_articles", Int, "r.new_articles"),
            col("duplicates", Int, "r.duplicates"),
            col("unchanged", Int, "r.unchanged"),
            col("errors", Int, "r.errors"),
            col("skipped", Int, "r.skipped"),
            col("bytes", Int, "r.bytes"),
        ],
        from: "runs r",
        key: "0",
        max_key: "SELECT 0",
        fingerprint: &[
            "r.id",
            "r.started_at",
            "r.finished_at",
            "r.status",
            "r.records",
            "r.new_articles",
            "r.duplicates",
            "r.unchanged",
            "r.errors",
            "r.skipped",
            "r.bytes",
            "r.inputs",
        ],
        fingerprint_from: "runs r",
    },
    // The summary tables the views read (migration V18), whole: an ingest
    // or an edit can change any of their rows, so a run after one rewrites
    // them (entity_pair_months held 1.7M rows at 31k articles with NER).
    Table {
        name: "entity_totals",
        layout: Layout::Whole,
        columns: &[
            col("entity_id", Text, "t.entity_id"),
            col("articles", Int, "t.articles"),
            col("mentions", Int, "t.mentions"),
            col("first_seen", Text, "t.first_seen"),
            col("last_seen", Text, "t.last_seen"),
        ],
        from: "entity_totals t",
        key: "0",
        max_key: "SELECT 0",
        fingerprint: &[],
        fingerprint_from: "",
    },
    Table {
        name: "entity_days",
        layout: Layout::Whole,
        columns: &[
            col("entity_id", Text, "d.entity_id"),
            col("day", Text, "d.day"),
            col("utc_day", Text, "d.utc_day"),
            col("articles", Int, "d.articles"),
            col("mentions", Int, "d.mentions"),
            col("first_seen", Text, "d.first_seen"),
            col("last_seen", Text, "d.last_seen"),
        ],
        from: "entity_days d",
        key: "0",
        max_key: "SELECT 0",
        fingerprint: &[],
        fingerprint_from: "",
    },
    Table {
        name: "entity_pair_months",
        layout: Layout::Whole,
        columns: &[
            col("entity_a", Text, "p.entity_a"),
            col("entity_b", Text, "p.entity_b"),
            col("month", Text, "p.month"),
            col("sentences", Int, "p.sentences"),
            col("articles", Int, "p.articles"),
            col("first_date", Text, "p.first_date"),
            col("last_date", Text, "p.last_date"),
        ],
        from: "entity_pair_months p",
        key: "0",
        max_key: "SELECT 0",
        fingerprint: &[],
        fingerprint_from: "",
    },
    Table {
        name: "outlet_days",
        layout: Layout::Whole,
        columns: &[
            col("outlet_id", Int, "o.outlet_id"),
            col("day", Text, "o.day"),
            col("utc_day", Text, "o.utc_day"),
            col("articles", Int, "o.articles"),
        ],
        from: "outlet_days o",
        key: "0",
        max_key: "SELECT 0",
        fingerprint: &[],
        fingerprint_from: "",
    },
];

impl Table {
    /// The SELECT of this table's rows whose key is in (?1, ?2], in the
    /// partition `filter` (an SQL condition from [`partition_filter`]). The
    /// rows stream in the order of the articles' dates index, unsorted: a
    /// month of bodies never goes through a sorter.
    pub fn rows_sql(&self, filter: &str) -> String {
        let cols: Vec<&str> = self.columns.iter().map(|c| c.sql).collect();
        format!(
            "SELECT {} FROM {} WHERE {k} > ?1 AND {k} <= ?2 AND {filter}",
            cols.join(", "),
            self.from,
            k = self.key
        )
    }

    /// The SELECT of every row's partition, key and fingerprint values.
    pub fn fingerprint_sql(&self) -> String {
        let month = match self.layout {
            Layout::ByMonth => MONTH,
            Layout::Whole => "''",
        };
        if self.fingerprint.is_empty() {
            let all: Vec<&str> = self.columns.iter().map(|c| c.sql).collect();
            return format!(
                "SELECT {month}, {}, {} FROM {}",
                self.key,
                all.join(", "),
                self.from
            );
        }
        format!(
            "SELECT {month}, {}, {} FROM {}",
            self.key,
            self.fingerprint.join(", "),
            self.fingerprint_from
        )
    }
}

/// The SQL condition selecting partition `month` of a [`Layout::ByMonth`]
/// table, with the month's bounds as ?3 and ?4 ([`month_bounds`]): a range
/// on `articles_published`, not a scan.
pub fn partition_filter(layout: Layout, month: &str) -> &'static str {
    match layout {
        Layout::Whole => "?3 = ?4",
        Layout::ByMonth if month == UNDATED => {
            "(a.published_at IS NULL OR a.published_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*') \
             AND ?3 = ?4"
        }
        Layout::ByMonth => "a.published_at >= ?3 AND a.published_at < ?4",
    }
}

/// ?3 and ?4 of [`partition_filter`]: every text that starts with `month`
/// sorts from `month` up to `month` followed by the last code point.
pub fn month_bounds(month: &str) -> (String, String) {
    (month.to_string(), format!("{month}\u{10FFFF}"))
}
