# Two commands do all set-up on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-unit lint bench bench-data bench-reports bench-dashboard bench-broadcast bench-rate bench-scale clean
BENCH_DB ?= data/bench-reports.db

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lamtheo db upgrade
	$(BIN)/lamtheo run

test: $(STAMP)
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto --dist worksteal

# The unit tier alone (flows and services on a fast SQLite copy, no network): seconds, for working on handlers/.
test-unit: $(STAMP)
	$(BIN)/pytest tests/unit -q -n auto --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.progress_step
	$(MAKE) bench-broadcast

# A broadcast to 10,000 members against the fake Bot API server limited to 300 messages/s (scaled from
# Telegram's 30/s; `python -m bench.broadcast --rate 30 --members 2000` runs at the real limit).
bench-broadcast: $(STAMP)
	$(BIN)/python -m bench.broadcast

# A broadcast with replies interleaved at Telegram's real 30 msg/s on the token's one rate budget (issue 11).
# SQLite: one instance; `make bench-rate BENCH_URL=postgresql://…` (EMPTIED first): two instances share it.
bench-rate: $(STAMP)
	$(BIN)/python -m bench.rate_budget $(if $(BENCH_URL),--url $(BENCH_URL))

# Several webhook instances behind Caddy on PostgreSQL (issue 11): updates/s with 1, 2, 3 instances, latency, CPU per
# update (free on the cores, then each instance held to a CPU share by a cgroup of its own when /sys/fs/cgroup is
# writable), and the broadcast rate with replies interleaved. BENCH_SCALE_URL (default TEST_DATABASE_URL): an
# expendable PostgreSQL database (its schema is dropped); needs caddy.
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale $(if $(BENCH_SCALE_URL),--url $(BENCH_SCALE_URL))

# A province for the report benchmarks (2,000 cells, 100,000 members, 300,000 commitments, 1,000,000 entries).
# BENCH_URL=postgresql://... fills an empty PostgreSQL database instead of the SQLite file.
bench-data: $(STAMP)
	$(BIN)/python -m bench.make_data --out $(BENCH_DB) $(if $(BENCH_URL),--url $(BENCH_URL))

bench-reports: $(STAMP)
	@test -n "$(BENCH_URL)" -o -f $(BENCH_DB) || $(MAKE) bench-data
	$(BIN)/python -m bench.rollup --db $(BENCH_DB) $(if $(BENCH_URL),--url $(BENCH_URL))

# Roll-ups from per-cell figures (issue 12): cold, warm with 5% of cells changed, a cell, /tonghop, and the cost
# added to the progress step. BENCH_WRITE_URL=postgresql://... (an empty database) times that step on PostgreSQL.
bench-dashboard: $(STAMP)
	@test -n "$(BENCH_URL)" -o -f $(BENCH_DB) || $(MAKE) bench-data
	$(BIN)/python -m bench.dashboard --db $(BENCH_DB) $(if $(BENCH_URL),--url $(BENCH_URL)) \
		$(if $(BENCH_WRITE_URL),--write-url $(BENCH_WRITE_URL))

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache
