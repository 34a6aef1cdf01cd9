# The two promises of the README: `make run` and `make test`, on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= var/xzsdg.gpkg
PORT   ?= 8501
DEMO_PASSWORD ?= xzsdg-demo

.PHONY: run test lint format bench venv clean-store

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

$(STORE): | $(STAMP)
	$(BIN)/python -m xzsdg_geo init --store $(STORE) --sample --demo-password $(DEMO_PASSWORD)

run: $(STAMP) $(STORE)
	@echo "示例账号 / demo accounts (stores made with --sample): admin, reviewer, field_team, head_<adcode>; password: $(DEMO_PASSWORD)"
	@echo "打开 / open http://localhost:$(PORT)"
	$(BIN)/streamlit run app.py --server.port $(PORT)

# The public layers as OGC API - Features (QGIS: add a WFS / OGC API - Features layer with this address).
.PHONY: api
api: $(STAMP) $(STORE)
	$(BIN)/python -m xzsdg_geo serve-api --store $(STORE) $(if $(API_PORT),--port $(API_PORT))

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean-store:
	rm -f $(STORE)
