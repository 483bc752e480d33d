# berth — set-up, demo, tests. Every target is idempotent and never prompts.
SHELL := /bin/bash
PY := /usr/bin/python3.11
VENV := .venv
BIN := $(VENV)/bin
# Debian packages berth needs at run time and in its tests.
APT_PACKAGES := python3-venv python3.11-venv busybox-static tini skopeo libseccomp2 iproute2 nftables \
	util-linux e2fsprogs jq tmux runc crun podman
DEMO_ROOT ?= /tmp/berth-demo

.PHONY: install apt venv demo test test-unit test-root lint bench clean

install: apt venv

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Bytecode is compiled up front: with PYTHONDONTWRITEBYTECODE set, every start of berth-runtime
# or the CLI would otherwise recompile its modules.
venv: $(BIN)/.installed
	$(BIN)/python -m compileall -q src >/dev/null

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip==24.3.1
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: install
	$(BIN)/python -m berth.demo --root $(DEMO_ROOT)

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests collected: failing"; exit 1; fi; exit $$rc

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info
