# The two commands a new machine needs (see README.md):
#   make reports   builds every report (HTML and PDF) from groups/ into build/
#   make test      runs every test
# Both set up what they need first: a virtual environment in .venv, and for
# the tests Debian's chromium, qpdf and poppler-utils plus the npm validators.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: reports check test bench schema serve clean tools messages

reports: $(STAMP)
	$(BIN)/reportgen build

check: $(STAMP)
	$(BIN)/reportgen check

test: $(STAMP) tools
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

schema: $(STAMP)
	$(BIN)/reportgen schema --out schemas

serve: $(STAMP)
	$(BIN)/reportgen serve

tools:
	scripts/install-test-tools

# The message catalogues (docs/maintainers.md): collect every marked text of the code into the
# template, then add new texts to each language's catalogue (untranslated, for a translator).
messages: $(STAMP)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords N_ --sort-output --no-location \
	    --project reportgen --copyright-holder "Nationalt Genom Center" --omit-header \
	    --output-file reportgen/locale/reportgen.pot .
	$(BIN)/pybabel update --input-file reportgen/locale/reportgen.pot --output-dir reportgen/locale \
	    --domain reportgen --no-fuzzy-matching --ignore-obsolete --width 100

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf build
