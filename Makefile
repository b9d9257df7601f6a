# Two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
DATA ?= $(CURDIR)/.data
PGPORT ?= 55432
export PATH := /usr/local/go/bin:$(PATH)
# The Asterisk 22.10.1 sources for .ci/asterisk.sh, when shared/ is beside the clone.
ATIENDE_ASTERISK_SRC ?= $(if $(wildcard ../shared/asterisk/src),$(abspath ../shared/asterisk/src))
export ATIENDE_ASTERISK_SRC

.PHONY: run stop call test bench build deps deps-test vet fmt prompts clean-data

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

# stop: what a `make run` left running (e.g. in another terminal, or after a
# kill -9) stops; the data stays. Ctrl-C in `make run` does the same.
stop:
	@DATA=$(DATA) .ci/run-demo.sh stop

# call: with `make run` going, a demo call through the menu (sipp). To answer
# it, run the shipped softphone, ana's phone:  baresip -f deploy/softphone
# and make ana available in the console. See deploy/softphone/.
call:
	@deploy/softphone/call.sh

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

clean-data: stop
	rm -rf $(DATA)
