# The two commands of the README: `make run` (demo municipality end to end) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MANIFEST := dbt_project/target/manifest.json
DBT_FILES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := False

.PHONY: install run test chromium ui lint bench clean

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

test: install chromium
	$(BIN)/pytest

# The report test opens the HTML report in headless Chromium (Debian's package).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Webserver and daemon (schedules, sensors, run queue) together, on the instance settings of dagster.yaml.
ui: install
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -m orchestration.definitions

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python benchmarks/run.py --scale $(or $(SCALE),1)

clean:
	rm -rf data dbt_project/target dbt_project/logs .dagster_home
