# marsad: the two commands from a fresh clone are `make demo` and `make test`.

CARGO ?= cargo
BIN   := target/release/marsad
# The SQLite extension: `.load target/release/libmarsad_ext` (see docs/sql.md).
EXT   := target/release/libmarsad_ext.so
DB    ?= marsad.db

.PHONY: build demo test test-spark bench bench-1m serve soak docs clean

build:
	$(CARGO) build --release --locked

# Build, ingest the seed articles into ./marsad.db, and show what the archive can do.
# Re-running is safe: the second ingest reports the seeds as unchanged.
demo: build
	$(BIN) --db $(DB) ingest seeds/articles
	@echo
	$(BIN) --db $(DB) info
	@echo
	$(BIN) --db $(DB) search 'وزير الدفاع' --limit 3
	$(BIN) --db $(DB) search '"خليفة حفتر" موسكو' --limit 2 --format json
	@echo
	$(BIN) --db $(DB) analyze 'والوزير لروسيا بنغازي'
	@echo
	$(BIN) --db $(DB) entity 'يفكيروف'
	@echo
	$(BIN) --db $(DB) mentions 'صدام حفتر' --limit 5
	@echo
	$(BIN) --db $(DB) views
	$(BIN) --db $(DB) sql 'SELECT name_ar, articles, mentions FROM v_entity_stats ORDER BY mentions DESC LIMIT 5'
	$(BIN) --db $(DB) run who-met-whom --limit 3
	@echo
	$(BIN) --db $(DB) check

# The tests load the extension, which `cargo test` alone does not build (the same invocation as
# `build`, so that neither rebuilds what the other built).
test:
	$(CARGO) build --release --locked
	$(CARGO) test --locked --release --lib --bins --tests

# The Parquet export read by Spark in local mode (tests/integration/parquet.rs): pyspark from PyPI
# into .venv, and a Java runtime (Debian: default-jre-headless; .ci/run installs it).
test-spark: build
	@command -v java >/dev/null || { echo "test-spark needs Java: apt-get install default-jre-headless"; exit 1; }
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/python -c "import pyspark, duckdb" 2>/dev/null || .venv/bin/pip install --quiet pyspark duckdb
	MARSAD_SPARK=1 MARSAD_PYTHON=$${MARSAD_PYTHON:-$$PWD/.venv/bin/python} \
	  $(CARGO) test --locked --release --test integration parquet::spark -- --nocapture

bench: build
	$(CARGO) bench --locked --bench bench

# A million articles from both shared corpora (about 2.7 GB of JSON Lines and a
# 10 GB archive under target/bench; most of an hour on two cores).
bench-1m: build
	MARSAD_BENCH_1M=1 $(CARGO) bench --locked --bench bench

# Datasette on 127.0.0.1:8001 over ./marsad.db, with the saved queries as canned queries, the marsad
# extension (Arabic-aware search, snippets) and datasette/plugins (see docs/sql.md). A Python whose
# sqlite3 cannot load extensions (pyenv's and python.org's builds often cannot) gets pysqlite3-binary,
# which Datasette uses when it is installed. The time limit is 15 s, not Datasette's 1 s: the views'
# documented examples read summary tables since V18 (tens of ms at 30k articles), but a query over a
# whole view (all of v_cooccurrence: 1.4M pairs at 30k articles with NER) still takes tens of seconds.
serve: build
	test -x .venv/bin/datasette || (python3 -m venv .venv && .venv/bin/pip install --quiet datasette)
	.venv/bin/python -c "import sqlite3; sqlite3.connect(':memory:').enable_load_extension(True)" 2>/dev/null \
	  || .venv/bin/python -c "import pysqlite3" 2>/dev/null || .venv/bin/pip install --quiet pysqlite3-binary
	$(BIN) --db $(DB) queries --datasette > target/datasette-metadata.json
	.venv/bin/datasette serve $(DB) -m target/datasette-metadata.json --load-extension $(EXT) \
	  --plugins-dir datasette/plugins -h 127.0.0.1 -p 8001 --setting sql_time_limit_ms 15000

# Regenerate docs/cli.md from every command's --help (tests/integration/docs.rs checks it).
docs:
	MARSAD_BLESS=1 $(CARGO) test --locked --release --test integration docs::

clean:
	$(CARGO) clean

# The kill test with 200 kills instead of 20.
soak:
	MARSAD_KILLS=200 $(CARGO) test --locked --release --test integration kill:: -- --nocapture
