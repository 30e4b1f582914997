-- name: search
-- description: Articles matching :q in marsad's query language (words in any form, "phrases", OR, -exclusions; the same articles as `marsad search --all`), by relevance or date (order = relevance or date), with a snippet of the original text, the words found in [brackets]; outlet (its name) and dates narrow it. Uses marsad_match() and marsad_snippet(): built into `marsad sql` and `marsad run`, from the extension (target/release/libmarsad_ext.so) in sqlite3 and Datasette.
-- param: q = "خليفة حفتر"
-- param: outlet = any
-- param: from (date) = any
-- param: to (date) = any
-- param: order = relevance
-- param: limit (number) = 50
SELECT a.id, a.published_at AS date, coalesce(o.name, '(unknown)') AS outlet, a.title,
       marsad_snippet(a.body, :q) AS snippet
FROM articles_fts f
JOIN articles a ON a.id = f.rowid
LEFT JOIN outlets o ON o.id = a.outlet_id
WHERE articles_fts MATCH marsad_match(:q)
  AND (:outlet = 'any' OR o.name = :outlet)
  AND (:from = 'any' OR substr(a.published_at, 1, length(:from)) >= :from)
  AND (:to = 'any' OR substr(a.published_at, 1, length(:to)) <= :to)
ORDER BY CASE WHEN :order = 'date' THEN a.published_at END DESC,
         bm25(articles_fts, 5.0, 1.0), a.published_at DESC, a.id DESC
LIMIT :limit;
