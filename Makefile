# SessionGraph — the two commands: `make demo` and `make test`.
# Each installs the Debian packages it needs when they are missing.

SWIFT ?= swift
SYSTEM_PACKAGES := libgraphviz-dev libjemalloc-dev pkg-config zlib1g-dev
# Only for the tests: the briefing report is opened in headless Chromium.
TEST_PACKAGES := chromium
BIN := .build/release/sessiongraph
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: all deps build demo test examples bench bench-large bench-hostile fuzz clean

all: build

# Install the system libraries (Graphviz's libgvc, jemalloc, zlib, pkg-config) when any is missing.
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product sessiongraph

# Run the main job on the bundled examples and write the results to Output/.
demo: build
	$(BIN) analyze Examples --out Output

# Run the whole test suite (installs Chromium for the report test when it is missing).
test: deps
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing ) \
		|| echo "warning: could not install$$missing; the browser test will be skipped"; \
	fi
	$(SWIFT) test

# Regenerate Examples/ with the fixed seed (the committed files came from this command).
examples: build
	rm -rf Examples && $(BIN) simulate --users 6 --days 1 --seed 7 --layout mixed --out Examples

# Benchmark against the peers in ../shared/peers (see BENCHMARKS.md). Needs Python with duckdb,
# orjson and networkx (installed with pip when missing); data is generated once into bench-data/.
bench: build
	@python3 -c "import duckdb, orjson, networkx" 2>/dev/null || python3 -m pip install -q duckdb orjson networkx
	python3 scripts/bench.py

bench-large: build
	python3 scripts/bench.py --large

# One session shaped to make per-session work grow with its square (many branches, one token
# replayed from many networks): SessionGraph alone, wall time and peak RSS.
bench-hostile: build
	python3 scripts/bench_hostile.py

# libFuzzer on every parser entry point, SECONDS each (e.g. make fuzz SECONDS=360).
SECONDS ?= 60
fuzz: deps
	SECONDS_EACH=$(SECONDS) scripts/fuzz.sh

clean:
	rm -rf .build
