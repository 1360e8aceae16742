# The two commands of the README: `make run` (demo municipality end to end) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MANIFEST := dbt_project/target/manifest.json
DBT_FILES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -name '*.md' \) -print)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False

.PHONY: install run test chromium ui lint bench fuzz clean

install: $(STAMP) $(MANIFEST)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The dbt manifest is built at install time, never at import of the code location.
$(MANIFEST): $(STAMP) $(DBT_FILES)
	$(BIN)/followup dbt-parse

run: install
	$(BIN)/followup demo --out data/landing
	$(BIN)/followup run
	@# one sample report, so the run ends by saying where a steering group's document is
	$(BIN)/followup report --unit C2C --period latest

test: install chromium
	$(BIN)/pytest

# Debian packages the reports need: pango (WeasyPrint renders the PDF with it) and fonts for every install; for the
# tests, Chromium (the HTML report rendered headless) and poppler-utils (pdftotext, pdftoppm of the PDF).
REPORT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
chromium:
	@dpkg -s $(REPORT_DEBS) chromium poppler-utils >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(REPORT_DEBS) chromium poppler-utils)

# Webserver and daemon (schedules, sensors, run queue) on the same instance and configuration as `followup run`.
ui: install
	$(BIN)/followup ui

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python benchmarks/run.py --scale $(or $(SCALE),1)

# Malformed landing files beside the demo's exports: every file must reach the load ledger (benchmarks/fuzz.py).
fuzz: install
	$(BIN)/python benchmarks/fuzz.py --files $(or $(FILES),200) --seed $(or $(SEED),1)

clean:
	rm -rf data dbt_project/target dbt_project/logs
