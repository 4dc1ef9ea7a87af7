# idara — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
DATA_DIR ?= ./var
IDARA_RELEASE := build/release/app/idara
IDARA_DEBUG := build/debug/app/idara

.PHONY: run test deps deps-test build build-release build-debug bench fuzz tidy clean

## make run: install what is missing, build release, initialise ./var with demo data once, serve :8080
## (make run ARGS=--with-exchange also runs the data-exchange demo: idara exchange up --dir ./var/exchange)
run: deps build-release
	@if [ ! -f "$(DATA_DIR)/idara.db" ]; then \
	  $(IDARA_RELEASE) init --demo --data-dir "$(DATA_DIR)"; \
	else \
	  echo "Reusing the data in $(DATA_DIR) (demo logins: docs/DEMO.md)"; \
	  $(IDARA_RELEASE) migrate --data-dir "$(DATA_DIR)"; \
	fi
	$(IDARA_RELEASE) serve --data-dir "$(DATA_DIR)" $(if $(CONFIG),--config $(CONFIG)) $(ARGS)

## make test: install, build debug (ASan+UBSan), run every test through CTest
test: deps-test build-debug
	ctest --preset debug

deps:
	@bash scripts/install-deps.sh

deps-test:
	@bash scripts/install-deps.sh --test

build: build-release

build-release:
	@cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-debug:
	@cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

## make bench: release build, benchmarks, table printed and written to docs/PERFORMANCE.md
bench: deps-test build-release
	bash bench/run.sh

## make fuzz: libFuzzer (clang) over every fuzz target for FUZZ_SECONDS each
fuzz: deps
	bash fuzz/run-libfuzzer.sh $(or $(FUZZ_SECONDS),60)

tidy: deps
	@cmake --preset tidy >/dev/null
	cmake --build --preset tidy -j $(JOBS)

clean:
	rm -rf build
