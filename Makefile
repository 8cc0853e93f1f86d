# The README names these commands. Everything they need is installed here, into .venv,
# so a fresh machine with only Python 3.11, pip and make can run them.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PROTO_OUT := libs/protos/src
SERVICES  := identity messaging contacts notifications portal gateway web
PROTO_SOURCES := $(shell find proto -name '*.proto')
PACKAGE_FILES := requirements-dev.txt libs/kit/pyproject.toml libs/protos/pyproject.toml \
                 libs/devstack/pyproject.toml $(foreach s,$(SERVICES),services/$(s)/pyproject.toml)

.PHONY: run test chaos install proto lint typecheck bench outbox clean-data help

help:
	@echo "make run    start the whole system (embedded PostgreSQL, NATS, outbox, services, gateway)"
	@echo "make test   run every test (unit, contract, e2e, deploy)"
	@echo "make chaos  long fault runs (processes killed again and again), not part of make test"
	@echo "make bench  run the benchmarks; make lint / make typecheck for ruff / mypy"

run: install
	$(BIN)/zorgpost-dev run

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Long fault runs (pytest marker `chaos`, deselected in every other run). More rounds:
# make chaos ZORGPOST_CHAOS_ROUNDS=50
chaos: install
	$(BIN)/python -m pytest -m chaos $(PYTEST_ARGS)

bench: install
	$(BIN)/python tests/bench/run_bench.py

lint: install
	$(BIN)/ruff check libs/kit libs/devstack services tests
	$(BIN)/hadolint deploy/Dockerfile

typecheck: install
	$(BIN)/mypy

install: $(STAMP)

# One venv for the whole monorepo; every service and lib is an editable install, so the
# code you edit is the code that runs. Protobuf code is generated before the install.
$(STAMP): $(PACKAGE_FILES) $(PROTO_SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(MAKE) proto
	$(BIN)/python -m pip install --quiet -e libs/protos -e libs/kit -e 'libs/devstack[containers]' \
		$(foreach s,$(SERVICES),-e services/$(s))
	touch $(STAMP)

# Generated code lives in libs/protos/src (ignored by git): imports read
# `from zorgpost.identity.v1 import identity_pb2`.
proto:
	rm -rf $(PROTO_OUT) && mkdir -p $(PROTO_OUT)
	$(BIN)/python -m grpc_tools.protoc -Iproto \
		--python_out=$(PROTO_OUT) --grpc_python_out=$(PROTO_OUT) --pyi_out=$(PROTO_OUT) \
		$(PROTO_SOURCES)
	find $(PROTO_OUT)/zorgpost -type d -exec touch {}/__init__.py \;

clean-data:
	rm -rf .data
