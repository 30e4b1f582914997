#!/bin/sh
# Compares what two archives hold, table by table, with EXCEPT both ways: run it on an archive built
# before a change and one built after from the same input to show that a refactor changed nothing.
# Columns that record when or how long (ingested_at, seen_at, runs' times) are left out.
# Usage: scripts/same-archives.sh BEFORE.db AFTER.db   (needs sqlite3; exits 1 when any table differs)
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BEFORE.db AFTER.db" >&2; exit 2; }
before=$1
after=$2

differs=0
compare() { # name, SELECT over schema "s"
    name=$1
    sql=$2
    a=$(printf '%s' "$sql" | sed 's/\bs\./main./g; s/v_s_/v_main_/g')
    b=$(printf '%s' "$sql" | sed 's/\bs\./other./g; s/v_s_/v_other_/g')
    counts=$(sqlite3 -readonly -batch "$before" <<EOF
ATTACH 'file:$after?mode=ro' AS other;
CREATE VIRTUAL TABLE temp.v_main_articles USING fts5vocab(main, articles_fts, instance);
CREATE VIRTUAL TABLE temp.v_other_articles USING fts5vocab(other, articles_fts, instance);
CREATE VIRTUAL TABLE temp.v_main_sentences USING fts5vocab(main, sentences_fts, row);
CREATE VIRTUAL TABLE temp.v_other_sentences USING fts5vocab(other, sentences_fts, row);
SELECT (SELECT count(*) FROM ($a)),
       (SELECT count(*) FROM ($a EXCEPT $b)),
       (SELECT count(*) FROM ($b EXCEPT $a));
EOF
)
    rows=${counts%%|*}
    rest=${counts#*|}
    echo "$name: $rows rows, only before ${rest%%|*}, only after ${rest#*|}"
    [ "$rest" = "0|0" ] || differs=1
}

compare articles "SELECT id, published_at, date_precision, outlet_id, content_sha256, external_id, date_raw, author, url, language, extra, title, body FROM s.articles"
compare outlets "SELECT id, name FROM s.outlets"
compare origins "SELECT id, name FROM s.origins"
compare sightings "SELECT id, article_id, origin_id, line, url, external_id, raw_sha256, removed FROM s.sighting_rows"
compare index_terms "SELECT term, doc, col, offset FROM temp.v_s_articles"
compare sentences "SELECT id, article_id, field, idx, start, \"end\" FROM s.sentences"
compare sentence_terms "SELECT term, doc, cnt FROM temp.v_s_sentences"
compare entities "SELECT id, type, name_ar, name_en, wikidata, status, merged_into FROM s.entities"
compare aliases "SELECT entity_id, alias, kind, normalized FROM s.entity_aliases"
compare mentions "SELECT id, article_id, entity_id, field, start, \"end\", surface, sentence, how FROM s.mentions"
compare minhash "SELECT article_id, sig FROM s.minhash"
compare near_duplicates "SELECT a, b, similarity FROM s.near_duplicates"
compare stories "SELECT article_id, story_id FROM s.stories"
compare ingest_errors "SELECT input, line, message, kind FROM s.ingest_errors"
compare runs "SELECT json_remove(args, '$[0]'), status, inputs, records, new_articles, duplicates, unchanged, errors, bytes, skipped FROM s.runs"
compare views "SELECT type, name, sql FROM s.sqlite_master WHERE type IN ('view', 'trigger', 'index')"
exit $differs
