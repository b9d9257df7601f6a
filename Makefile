# Two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
DATA ?= $(CURDIR)/.data
PGPORT ?= 55432
export PATH := /usr/local/go/bin:$(PATH)
# The Asterisk 22.10.1 sources for .ci/asterisk.sh, when shared/ is beside the clone.
ATIENDE_ASTERISK_SRC ?= $(if $(wildcard ../shared/asterisk/src),$(abspath ../shared/asterisk/src))
export ATIENDE_ASTERISK_SRC

.PHONY: run test bench build deps deps-test vet fmt prompts clean-data

build:
	$(GO) build -o bin/atiende ./cmd/atiende

deps:
	@.ci/deps.sh run

deps-test:
	@.ci/deps.sh test

# run: a local PostgreSQL under ./.data (unless ATIENDE_DATABASE_URL is set),
# mailpit for the demo emails, migrations, demo data, then the service.
run: deps build
	@DATA=$(DATA) PGPORT=$(PGPORT) .ci/run-demo.sh

test: deps-test
	@.ci/test.sh

bench: deps-test
	@.ci/test.sh bench

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

prompts:
	ivr/prompts/make-prompts.sh

clean-data:
	.ci/pg.sh stop $(DATA)/pg; rm -rf $(DATA)
