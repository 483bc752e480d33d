# berth — set-up, demo, tests. Every target is idempotent and never prompts.
SHELL := /bin/bash
PY := /usr/bin/python3.11
VENV := .venv
BIN := $(VENV)/bin
# Debian packages berth needs at run time and in its tests (podman and docker.io: engines that
# drive berth-runtime in the compatibility tests; their daemons are never started by apt:
# policy-rc.d refuses service starts during the install).
APT_PACKAGES := python3-venv python3.11-venv busybox-static tini skopeo libseccomp2 iproute2 nftables \
	util-linux e2fsprogs jq tmux runc crun podman docker.io gcc libc6-dev zlib1g-dev
DEMO_ROOT ?= /tmp/berth-demo

.PHONY: install apt venv demo test test-unit test-root lint bench clean

install: apt venv $(BIN)/berth-monitor

# The native container monitor (docs/design/monitor.md): rebuilt when a source changes;
# built to a temp name and renamed, so a failed build leaves no half binary behind.
MONITOR_SRC := $(wildcard src/berth/monitor/native/*.c src/berth/monitor/native/*.h)
$(BIN)/berth-monitor: $(MONITOR_SRC) | venv
	cc -std=c11 -O2 -Wall -Wextra -Werror -o $@.tmp $(filter %.c,$(MONITOR_SRC)) -lz
	mv -f $@.tmp $@

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  guard=""; if [ ! -e /usr/sbin/policy-rc.d ]; then guard=1; \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; rc=$$?; \
	  [ -z "$$guard" ] || rm -f /usr/sbin/policy-rc.d; exit $$rc; \
	fi

# Bytecode is compiled up front: with PYTHONDONTWRITEBYTECODE set, every start of berth-runtime
# or the CLI would otherwise recompile its modules.
# berth-runtime and berth get lean launchers (python -I -S, no site): they start for every
# command, engines start the runtime several times per container (berth/_util/launcher.py).
venv: $(BIN)/.installed
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python -m berth._util.launcher $(BIN)/berth-runtime berth.runtime.__main__
	$(BIN)/python -m berth._util.launcher $(BIN)/berth berth.cli.main --site

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
