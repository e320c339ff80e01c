# golive: `make synth` synthesizes every environment into cdk.out; `make test` runs every test.
# Both install what they need (the pinned aws-cdk CLI from package-lock.json, Go modules).

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20
export JSII_DEPRECATED ?= quiet
GO ?= go
CDK := node_modules/.bin/cdk

.PHONY: deps synth test test-bench race lint fuzz bench clean aws-check docs

deps: node_modules/.package-lock.json .go-mod-downloaded

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

.go-mod-downloaded: go.mod go.sum
	$(GO) mod download
	@touch $@

synth: deps
	$(CDK) synth --quiet

test: deps
	$(GO) vet ./...
	$(GO) test ./...

# staticcheck at a pinned version, built from the Go module proxy on first use: `go run
# pkg@version` keeps it out of go.mod, so neither the library's users nor its own build list
# see its dependencies. staticcheck.conf states the checks, for both modules.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Both modules: the product's and the benchmarks' (bench/go.mod).
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(STATICCHECK) ./...
	cd bench && $(GO) vet ./... && $(STATICCHECK) ./...

# The race detector on every package whose test binary does not link the jsii runtime: a
# jsii test drives a Node kernel, whose synths under -race would take minutes and whose
# races would be jsii's. The list is computed (the test binaries' dependencies, as go list
# -test reports them), so a new package is raced as soon as it has tests. -short skips the
# deployed-stack test (cmd/golive), which starts the CDK app, and so jsii, as a subprocess;
# make test runs it.
RACE_PKGS = $(shell $(GO) list -test -f '{{if eq .Name "main"}}{{$$jsii := false}}{{range .Deps}}{{if eq . "github.com/aws/jsii-runtime-go"}}{{$$jsii = true}}{{end}}{{end}}{{if not $$jsii}}{{.ImportPath}}{{end}}{{end}}' ./... | sed -n 's/\.test$$//p')

race: deps
	$(GO) test -race -short $(RACE_PKGS)

# The benchmarks are a module of their own (bench/go.mod), outside `go test ./...`.
# test-bench checks that their code still runs (synth at N = 1, publish of one function).
test-bench: deps
	cd bench && $(GO) vet ./... && $(GO) test ./...

# Figures for this machine (several minutes): bench/results/latest.md and synth.png.
# BENCH_FLAGS=-quick for a short run; see bench/README.md.
bench: deps
	cd bench && $(GO) run ./cmd/bench $(BENCH_FLAGS)

# Read-only checks, on a real AWS account, of the AWS behaviours docs/aws-behaviour.md lists as
# unproven (the AWS CLI and your credentials), e.g.
# make aws-check ARGS="--region us-east-1 --function golive-demo-prd-worker --application golive-demo-prd"
aws-check:
	scripts/aws-check.sh $(ARGS)

# The CLI reference, docs/cli.md, generated from the command tree; a test fails while it is stale.
docs:
	$(GO) run ./internal/cli/gendoc

fuzz:
	# A count, not a duration: Go 1.26 can end a timed run with "context deadline exceeded" (golang/go#75804).
	$(GO) test ./config -run '^$$' -fuzz FuzzParse -fuzztime 1000000x

clean:
	rm -rf cdk.out .go-mod-downloaded
