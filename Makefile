# marsad: the two commands from a fresh clone are `make demo` and `make test`.

CARGO ?= cargo
BIN   := target/release/marsad
DB    ?= marsad.db

.PHONY: build demo test bench clean

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
	$(BIN) --db $(DB) check

test:
	$(CARGO) test --locked --release --lib --bins --tests

bench: build
	$(CARGO) bench --locked --bench bench

clean:
	$(CARGO) clean
