"""Query a `marsad export --format parquet` directory with DuckDB or Spark.

    python query.py duckdb|spark DIR checks SEARCHES.json   # the views' answers, as JSON
    python query.py duckdb|spark DIR digest                  # rows and a hash per table

`checks` answers what the archive's views answer (v_entity_stats,
v_cooccurrence, v_outlet_month), with the views' SQL translated (the same
text in both engines), and runs each search of SEARCHES.json: a list of
queries, each a list of words, each word a list of the index terms it may
appear as (`marsad analyze --format json`, column `query`); an article
matches when every word has one of its terms in `terms`. The integration
tests (tests/integration/parquet.rs) compare all of it with SQLite and
`marsad search`. `digest` sorts each table's rows and hashes them, so that
two directories with the same rows give the same digest.
"""

import hashlib
import json
import os
import sys

PARTITIONED = ["articles", "sightings", "mentions", "near_duplicates", "stories"]
WHOLE = ["entities", "runs", "entity_totals", "entity_days", "entity_pair_months", "outlet_days"]

ENTITY_STATS = """
SELECT e.id AS entity_id, count(DISTINCT m.article_id) AS articles, count(m.id) AS mentions,
       min(a.published_at) AS first_seen, max(a.published_at) AS last_seen
FROM entities e
LEFT JOIN mentions m ON m.entity_id = e.id
LEFT JOIN articles a ON a.id = m.article_id
WHERE e.status IN ('accepted', 'candidate') AND e.merged_into IS NULL
GROUP BY e.id
ORDER BY entity_id
"""

COOCCURRENCE = """
SELECT x.entity_id AS entity_a, y.entity_id AS entity_b,
       count(DISTINCT CASE WHEN x.field = y.field AND x.sentence = y.sentence
             THEN concat(CAST(x.article_id AS STRING), '/', x.field, '/', CAST(x.sentence AS STRING)) END)
         AS sentences_with_both,
       count(DISTINCT x.article_id) AS articles_with_both,
       min(a.published_at) AS first_date, max(a.published_at) AS last_date
FROM mentions x
JOIN mentions y ON y.article_id = x.article_id AND y.entity_id > x.entity_id
JOIN entities ea ON ea.id = x.entity_id AND ea.status IN ('accepted', 'candidate') AND ea.merged_into IS NULL
JOIN entities eb ON eb.id = y.entity_id AND eb.status IN ('accepted', 'candidate') AND eb.merged_into IS NULL
JOIN articles a ON a.id = x.article_id
GROUP BY x.entity_id, y.entity_id
ORDER BY entity_a, entity_b
"""

OUTLET_MONTH = """
SELECT coalesce(outlet, '(unknown)') AS outlet, substr(published_at, 1, 7) AS month, count(*) AS articles
FROM articles
GROUP BY coalesce(outlet, '(unknown)'), substr(published_at, 1, 7)
ORDER BY outlet, month
"""


def quote(s):
    return "'" + s.replace("'", "''") + "'"


class DuckDB:
    def __init__(self, root):
        import duckdb

        self.con = duckdb.connect()
        for t in PARTITIONED:
            self.con.execute(
                f"CREATE VIEW {t} AS SELECT * FROM read_parquet({quote(root + '/' + t + '/*/*.parquet')}, "
                "hive_partitioning = true, hive_types = {'month': VARCHAR})"
            )
        for t in WHOLE:
            self.con.execute(
                f"CREATE VIEW {t} AS SELECT * FROM read_parquet({quote(root + '/' + t + '/*.parquet')})"
            )

    def rows(self, sql):
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        return names, [list(r) for r in cur.fetchall()]

    @staticmethod
    def any_term(terms):
        return "list_has_any(terms, [" + ", ".join(quote(t) for t in terms) + "])"


class Spark:
    def __init__(self, root):
        from pyspark.sql import SparkSession

        self.spark = (
            SparkSession.builder.master("local[2]")
            .appName("marsad-parquet-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            # month=2018-03 stays a string (not a date), as in the manual.
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        for t in PARTITIONED + WHOLE:
            self.spark.read.parquet(root + "/" + t).createOrReplaceTempView(t)

    def rows(self, sql):
        df = self.spark.sql(sql)
        names = df.columns
        return names, [[r[n] for n in names] for r in df.collect()]

    @staticmethod
    def any_term(terms):
        return "arrays_overlap(terms, array(" + ", ".join(quote(t) for t in terms) + "))"


def plain(v):
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if hasattr(v, "asDict"):
        return {k: plain(x) for k, x in v.asDict().items()}
    return v


def checks(db, searches):
    out = {}
    for name, sql in [
        ("entity_stats", ENTITY_STATS),
        ("cooccurrence", COOCCURRENCE),
        ("outlet_month", OUTLET_MONTH),
    ]:
        out[name] = plain(db.rows(sql)[1])
    found = []
    for words in searches:
        where = " AND ".join(db.any_term(terms) for terms in words) or "true"
        found.append(sorted(r[0] for r in db.rows(f"SELECT id FROM articles WHERE {where}")[1]))
    out["search"] = found
    return out


def digest(db):
    out = {}
    for t in PARTITIONED + WHOLE:
        names, rows = db.rows(f"SELECT * FROM {t}")
        lines = sorted(
            json.dumps(dict(zip(names, plain(r))), ensure_ascii=False, sort_keys=True) for r in rows
        )
        out[t] = [len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()]
    return out


def main():
    engine, root, what = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    db = DuckDB(root) if engine == "duckdb" else Spark(root)
    if what == "checks":
        with open(sys.argv[4], encoding="utf-8") as f:
            searches = json.load(f)
        result = checks(db, searches)
    else:
        result = digest(db)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
