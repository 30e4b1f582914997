"""marsad in Datasette: Arabic-aware search, snippets, month facets, entity
links and canned-query defaults.

`make serve` runs Datasette with the marsad SQLite extension
(target/release/libmarsad_ext.so, `--load-extension`) and this folder as
`--plugins-dir`. With the extension loaded on a marsad archive:

- Every full-text search (the articles table's search box, `?_search=`) is
  analysed as `marsad search` analyses it: Datasette's `escape_fts()` is
  replaced by the extension's `marsad_match()`, so words match in any form,
  "phrases", OR and -exclusions work, and the hits are the CLI's. (Every FTS
  index of an archive holds analysed terms, so this is right for all of
  them.)
- The articles table shows date, outlet, title and, when searching, a snippet
  of the original text with the words found marked (`marsad_snippet()`, the
  CLI's snippet); faceted by outlet and by month (a facet type this plugin
  adds: `_facet_month=published_at`).
- A canned query opened without some parameter, or with its form field
  left blank, gets the default its saved-query header declares (`marsad queries --datasette` puts them in the
  metadata under plugins.marsad_search.defaults).
- Entity ids link to the entity's mentions and timeline.

Without the extension nothing here changes how Datasette searches.
"""

import contextvars
import json
import urllib.parse

from datasette import hookimpl
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args
from markupsafe import Markup, escape

# Marks around matched words in snippets computed for HTML: control
# characters that never occur in an article (ingest strips them), turned into
# <mark> after the text is escaped.
OPEN, CLOSE = "\x02", "\x03"

# Columns of the articles table shown by default (the rest by ?_col=).
ARTICLE_COLUMNS = ["published_at", "outlet_id", "title", "body"]

# The query-string arguments of the request being served (render_cell has no
# request in Datasette 0.65): set by the ASGI wrapper, which runs in the same
# task as the view.
ARGS = contextvars.ContextVar("marsad_args", default={})

# Columns of canned queries that hold an entity id.
ENTITY_COLUMNS = {"entity_id", "person_a", "person_b", "russian", "libyan"}


def _is_archive(conn):
    try:
        conn.execute("select marsad_match('x')").fetchone()
        return bool(
            conn.execute(
                "select 1 from sqlite_master where name = 'articles_fts'"
            ).fetchone()
        )
    except Exception:
        return False


@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    # trylast: after Datasette's own prepare_connection registers escape_fts.
    if not _is_archive(conn):
        return
    datasette._marsad_databases = getattr(datasette, "_marsad_databases", set())
    datasette._marsad_databases.add(database)

    def escape_fts(query):
        return conn.execute("select marsad_match(?)", [query]).fetchone()[0]

    conn.create_function("escape_fts", 1, escape_fts, deterministic=True)


def _is_marsad(datasette, database):
    return database in getattr(datasette, "_marsad_databases", set())


def _marked_html(marked):
    html = str(escape(marked)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")
    return Markup(f'<div dir="rtl" lang="ar" class="marsad-snippet">{html}</div>')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not _is_marsad(datasette, database):
        return None
    args = ARGS.get()
    if table == "articles" and column == "body" and isinstance(value, str):
        query = args.get("_search")
        if not query:
            short = value[:240] + ("…" if len(value) > 240 else "")
            return Markup(f'<div dir="rtl" lang="ar">{escape(short)}</div>')
        return _snippet(
            datasette, database, "select marsad_snippet(?, ?, ?, ?)", [value, query, OPEN, CLOSE]
        )
    if table is None and column == "snippet" and args.get("q") and "id" in row.keys():
        return _snippet(
            datasette,
            database,
            "select marsad_snippet(body, ?, ?, ?) from articles where id = ?",
            [args.get("q"), OPEN, CLOSE, row["id"]],
        )
    if table == "articles" and column == "title" and isinstance(value, str):
        return Markup(f'<div dir="rtl" lang="ar">{escape(value)}</div>')
    entity = None
    if table == "entities" and column == "id":
        entity = value
    elif table is None and column in ENTITY_COLUMNS and isinstance(value, str):
        entity = value
    if entity is not None:
        base = datasette.urls.database(database)
        q = urllib.parse.quote(str(entity))
        return Markup(
            f'<a href="{base}/entities/{q}">{escape(entity)}</a> '
            f'(<a href="{base}/entity-mentions?entity={q}">mentions</a>, '
            f'<a href="{base}/entity-timeline?entity={q}">timeline</a>)'
        )
    return None


def _snippet(datasette, database, sql, params):
    async def inner():
        rows = await datasette.get_database(database).execute(sql, params)
        first = rows.first()
        return _marked_html(first[0] if first and first[0] is not None else "")

    return inner


class MonthFacet(Facet):
    """Counts by month (the first seven characters of an ISO date)."""

    type = "month"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            source = source_and_config["source"]
            column = config.get("column") or config["simple"]
            col = "[" + column.replace("]", "]]") + "]"
            sql = f"""
                select substr({col}, 1, 7) as value, count(*) as count from ({self.sql})
                where {col} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
                group by value order by value desc limit {size + 1}
            """
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except Exception:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                path = (
                    path_with_removed_args(self.request, {key: row["value"]})
                    if selected
                    else path_with_added_args(self.request, {key: row["value"]})
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source != "metadata",
                    "toggle_url": path_with_removed_args(
                        self.request, {"_facet_month": column}
                    ),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [MonthFacet]


@hookimpl
def extra_body_script(template, database, table, view_name, request, datasette):
    # On a searched articles page: a link to the same search ranked by
    # relevance, with snippets and filters (the `search` canned query).
    if view_name != "table" or table != "articles" or request is None:
        return ""
    if not _is_marsad(datasette, database):
        return ""
    query = request.args.get("_search")
    if not query:
        return ""
    href = (
        datasette.urls.database(database)
        + "/search?"
        + urllib.parse.urlencode({"q": query, "order": "relevance"})
    )
    return (
        "var f = document.querySelector('form.filters, form');"
        "if (f) { var p = document.createElement('p'); p.className = 'marsad-relevance';"
        "var a = document.createElement('a'); a.href = " + _js(href) + ";"
        "a.textContent = 'By relevance, with filters: the search query';"
        "p.appendChild(a); f.parentNode.insertBefore(p, f.nextSibling); }"
    )


def _js(s):
    return json.dumps(s)


@hookimpl
def asgi_wrapper(datasette):
    """Fill in what a URL leaves out: a canned query's parameter defaults,
    and the articles page's columns and month facet."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope.get("type") == "http":
                scope = _with_defaults(datasette, scope)
            await app(scope, receive, send)

        return wrapped

    return wrap


def _with_defaults(datasette, scope):
    ARGS.set({})
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) != 2 or parts[0] not in datasette.databases:
        return scope
    database, name = parts
    html = not name.endswith((".json", ".csv"))
    for ext in (".json", ".csv"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    pairs = urllib.parse.parse_qsl(
        scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True
    )
    config = datasette.plugin_config("marsad_search") or {}
    defaults = (config.get("defaults") or {}).get(name)
    blanked = []
    if defaults:
        # A form field left blank means the default, not an empty value
        # (an empty limit is a datatype mismatch, an empty outlet no rows).
        blanked = [k for k, v in pairs if k in defaults and not v.strip()]
        pairs = [(k, v) for k, v in pairs if k not in blanked]
    given = {k for k, _ in pairs}
    added = []
    if defaults:
        added = [(k, v) for k, v in defaults.items() if k not in given]
    elif name == "articles" and html:
        if not given & {"_col", "_nocol"}:
            added = [("_col", c) for c in ARTICLE_COLUMNS]
    ARGS.set(dict(pairs + added))
    if not added and not blanked:
        return scope
    query_string = urllib.parse.urlencode(pairs + added).encode()
    return dict(scope, query_string=query_string)
