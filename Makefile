# Two entry points for people: `make run` and `make test`. Everything else is plumbing.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test install lint bench advice-model ask-model care-model

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 is needed (python3.11 or python3)"; exit 1; }
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "make: Python >= 3.11 is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/touchstone run

lint: $(STAMP)
	$(BIN)/ruff check bot knowledge
	$(BIN)/mypy

# With TOUCHSTONE_TEST_DATABASE_URL set (CI sets it), the storage and domain tests run on
# both databases in the first pass, and a second pass runs every end-to-end bot on
# PostgreSQL (TOUCHSTONE_TEST_BACKEND=postgres); tests marked postgres ran already. A third
# pass runs the knowledge tests with every index on a real `chroma run` server. A failure in
# any pass fails the target.
test: lint
	$(BIN)/python -m pytest -q -rs
	@if [ -n "$$TOUCHSTONE_TEST_DATABASE_URL" ]; then \
	  set -e; \
	  echo "make: the end-to-end tests again, every bot on PostgreSQL"; \
	  TOUCHSTONE_TEST_BACKEND=postgres $(BIN)/python -m pytest -q -rs -m "e2e and not postgres" tests/e2e; \
	  echo "make: the knowledge tests again, against a chromadb server"; \
	  TOUCHSTONE_TEST_CHROMA=server $(BIN)/python -m pytest -q -rs tests/knowledge/test_service.py \
	    tests/knowledge/test_add_notes.py tests/knowledge/test_hit_at_3.py \
	    tests/knowledge/test_chroma_server.py; \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench.all

# Rebuild the advice check's weights from bot/advice/corpus/train (deterministic).
advice-model: $(STAMP)
	$(BIN)/python -m bot.advice.training

# Rebuild /ask's note ranker from knowledge/training and tests/data/ask_dev.yaml (deterministic).
ask-model: $(STAMP)
	$(BIN)/python -m knowledge.ranker_training

# Rebuild the care check's weights from bot/care/corpus and the /ask training questions.
care-model: $(STAMP)
	$(BIN)/python -m bot.care.training
