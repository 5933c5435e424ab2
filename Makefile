# The two front-door commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast lint typecheck pytest openapi openapi-breaking fuzz bench clean-data browser-deps node-deps lint-deps lock

# constraints.txt pins every installed version to what was tested and measured (make lock rewrites it).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -c constraints.txt
	touch $(STAMP)

## Rewrites constraints.txt from the venv (after an upgrade: re-run bench/ and the tests, commit both).
lock: $(STAMP)
	{ sed -n '1,/^[^#]/p' constraints.txt | grep '^#'; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^py-spy=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

## Sets everything up and runs the system on the embedded PostgreSQL (or ASN_DATABASE_URL when set).
run: $(STAMP)
	$(BIN)/asn run

## Runs everything CI runs: lint, types, the test suite against real PostgreSQL, the OpenAPI drift check.
test: $(STAMP) lint typecheck pytest

## Lint and every test that needs no running stack (no e2e/security/drills/fuzz/browser): under 3 minutes.
test-fast: $(STAMP) lint
	$(BIN)/pytest -m "not stack" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser-deps node-deps lint-deps
	$(BIN)/pytest $(PYTEST_ARGS)

## axe-core for the widget's accessibility test, when npm is there (the test says so when it skips).
browser-deps:
	@if command -v npm >/dev/null 2>&1 && [ ! -d tests/browser/node_modules/axe-core ]; then \
		cd tests/browser && npm install --no-audit --no-fund --loglevel=error || echo "npm install failed: the browser test will skip"; \
	fi

## oauth4webapi and standardwebhooks (pinned in tests/support/interop/package.json) for the Node.js client tests, when
## npm is there (the tests install them themselves otherwise, and skip with a message only without npm).
node-deps:
	@if command -v npm >/dev/null 2>&1 && [ ! -f tests/support/interop/node_modules/.package-lock.json ]; then \
		cd tests/support/interop && npm ci --no-audit --no-fund --loglevel=error || echo "npm ci failed: the Node.js client tests will fail"; \
	fi

## Redocly and Spectral, pinned in tools/openapi-lint, for the OpenAPI lint test (it says so when it skips).
lint-deps:
	@if command -v npm >/dev/null 2>&1 && [ ! -x tools/openapi-lint/node_modules/.bin/spectral ]; then \
		cd tools/openapi-lint && npm ci --no-audit --no-fund --loglevel=error || echo "npm ci failed: the OpenAPI lint test will skip"; \
	fi

## The longer fuzz run (figures into docs/reliability.md); the bounded one is part of `make test`.
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py

## Fails on a breaking change to openapi/gateway.json without an entry in docs/api-changelog.md.
openapi-breaking: $(STAMP)
	$(BIN)/python scripts/openapi_breaking.py

## Every benchmark in bench/ (each prints a table and rewrites its section of docs/benchmarks.md).
bench: $(STAMP)
	for b in gateway kinerja_import kinerja_reports pelatihan publik point_read mixed_load; do \
		$(BIN)/python -m bench.$$b || exit 1; \
	done

## Re-exports openapi/*.json from the code (commit the result).
openapi: $(STAMP)
	$(BIN)/python scripts/export_openapi.py

clean-data:
	rm -rf .data
