# Two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
DATA ?= $(CURDIR)/.data
PGPORT ?= 55432
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: run test bench build deps deps-test vet fmt prompts clean-data

build:
	$(GO) build -o bin/atiende ./cmd/atiende

deps:
	@.ci/deps.sh run

deps-test:
	@.ci/deps.sh test

# run: a local PostgreSQL under ./.data (unless ATIENDE_DATABASE_URL is set),
# migrations, demo data, then the service in the foreground.
run: deps build
	@if [ -z "$$ATIENDE_DATABASE_URL" ]; then .ci/pg.sh start $(DATA)/pg $(PGPORT) durable; fi
	@export ATIENDE_DATABASE_URL=$${ATIENDE_DATABASE_URL:-$$(.ci/pg.sh url $(PGPORT))}; \
	export ATIENDE_ADMIN_PASSWORD=$${ATIENDE_ADMIN_PASSWORD:-atiende-demo}; \
	./bin/atiende migrate -config deploy/demo.yml && \
	./bin/atiende demo-data -config deploy/demo.yml && \
	exec ./bin/atiende serve -config deploy/demo.yml -banner

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
