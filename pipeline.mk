# rightsize pipeline: plan -> invoke -> await-logs -> fit -> report, one file per stage.
#
#   make -f pipeline.mk                      # data/example.json on the local emulator
#   make -f pipeline.mk WORKLOAD=w.json      # any workload (AWS or local)
#   make -f pipeline.mk fit FIT_FLAGS='--max-duration-ms 200'   # re-fit cached logs (and re-render)
#   make -f pipeline.mk report               # re-render only
#   make -f pipeline.mk SHARDS=4             # invoke as 4 local shards, merged (docs/invoke.md)
#   make -f pipeline.mk apply RULE=balanced  # set each function's memory to the recommendation (asks first)
#   make -f pipeline.mk ADAPTIVE=1 BUDGET=600   # measure the sizes fit suggests, round by round (docs/pipeline.md)
#   make -f pipeline.mk test                 # the whole test suite
#   make -f pipeline.mk acceptance           # live accuracy and timing checks (slow; a quiet machine)
#
# Each output depends on its input and on the tool's binary, so re-running does only
# what changed. Tools write a temporary file and rename it, so an interrupted stage is
# redone, never taken as finished. A workload with "target": "local" runs against
# lambda-emulator, started per stage on a free port and always stopped (scripts/with-target.sh).

WORKLOAD ?= data/example.json
SWIFT_CONFIGURATION ?= release
# Where the built tools are; tests pass BIN to use an existing (debug) build.
ifndef BIN
BIN := $(shell swift build -c $(SWIFT_CONFIGURATION) --show-bin-path 2>/dev/null)
endif

PLAN_FLAGS ?=
INVOKE_FLAGS ?=
AWAIT_FLAGS ?=
FIT_FLAGS ?=
PRICES ?=
REPORT_FLAGS ?=
EMULATOR_FLAGS ?=
SHARDS ?= 1
# Every finished run is recorded here (docs/history.md); HISTORY= records nothing.
HISTORY ?= runs/history.db
RULE ?= balanced
APPLY_FLAGS ?=
# ADAPTIVE=1: measure the sizes fit suggests round by round (scripts/adaptive.sh), within BUDGET calls.
ADAPTIVE ?=
BUDGET ?= 1000
SUGGEST ?= 1

# The run's name and target come from the workload, read by plan itself (once it is built).
ifneq ($(wildcard $(BIN)/plan),)
NAME := $(shell $(BIN)/plan --print-name $(WORKLOAD))
TARGET := $(shell $(BIN)/plan --print-target $(WORKLOAD))
endif
RUN_DIR ?= runs/$(NAME)
# A local workload's own functions (top-level "functions"): their code folders, deployed to the
# emulator before invoke and again whenever a file in them changes (scripts/deploy-functions.sh).
ifneq ($(wildcard $(BIN)/plan),)
FUNCTION_DIRS := $(shell $(BIN)/plan --print-functions $(WORKLOAD) 2>/dev/null | cut -f4)
endif
FUNCTION_FILES := $(if $(FUNCTION_DIRS),$(shell find $(FUNCTION_DIRS) -type f ! -name '*.pyc' ! -path '*__pycache__*' 2>/dev/null | sed 's/ /\\ /g'))
DEPLOYED := $(if $(FUNCTION_DIRS),$(RUN_DIR)/emulator/functions.deployed)
WITH_TARGET := scripts/with-target.sh $(or $(TARGET),aws) $(RUN_DIR) $(BIN)/lambda-emulator $(EMULATOR_FLAGS) --

.DEFAULT_GOAL := run
.PHONY: run tools stages adaptive schedule deploy invoke logs fit report history apply test acceptance setup clean-run
.DELETE_ON_ERROR:

## The main job: set up, build, run every stage, say where the report is.
run: tools
ifeq ($(ADAPTIVE),1)
	@$(MAKE) -f pipeline.mk --no-print-directory adaptive WORKLOAD=$(WORKLOAD)
else
	@$(MAKE) -f pipeline.mk --no-print-directory stages WORKLOAD=$(WORKLOAD)
endif

## The adaptive loop: a 3-size first design, then the sizes fit --suggest proposes, until the
## recommendations are stable or BUDGET invocations are spent (docs/pipeline.md#adaptive-sizing).
adaptive:
	BIN=$(BIN) FIT_FLAGS='$(FIT_FLAGS)' scripts/adaptive.sh $(BIN) $(RUN_DIR) $(WORKLOAD) $(BUDGET) $(SUGGEST) \
		BIN=$(BIN) EMULATOR_FLAGS='$(EMULATOR_FLAGS)' AWAIT_FLAGS='$(AWAIT_FLAGS)' INVOKE_FLAGS='$(INVOKE_FLAGS)'
	$(if $(HISTORY),$(BIN)/history record $(RUN_DIR)/adaptive --db $(HISTORY))

stages: $(RUN_DIR)/report.html $(if $(HISTORY),$(RUN_DIR)/history.recorded)
	@echo "rightsize: report at $(RUN_DIR)/report.html"

setup:
	@bash scripts/setup.sh

## Build the tools (a no-op when nothing changed; a rebuilt tool re-runs its stage).
tools: setup
	@swift build -c $(SWIFT_CONFIGURATION) 2>&1 | grep -vE '^(Building|Build complete|\[[0-9]+/[0-9]+\]|Write|Compiling|Linking|Planning|Fetching|Fetched|Computing|Computed|Creating|Working copy)' || true
	@test -x $(BIN)/report || { echo "pipeline: build failed (run: swift build -c $(SWIFT_CONFIGURATION))" >&2; exit 1; }

# Bring a stage's output up to date (running what it needs before it).
schedule: $(RUN_DIR)/schedule.ndjson
invoke: $(RUN_DIR)/invocations.ndjson
logs: $(RUN_DIR)/logs.ndjson

# Re-run fit (and then report) or only report on the cached data, even when nothing
# changed: -W treats the stage's input as new without touching it.
fit: $(RUN_DIR)/logs.ndjson
	@$(MAKE) -f pipeline.mk --no-print-directory -W $(RUN_DIR)/logs.ndjson $(RUN_DIR)/report.html
report: $(RUN_DIR)/models.json
	@$(MAKE) -f pipeline.mk --no-print-directory -W $(RUN_DIR)/models.json $(RUN_DIR)/report.html

$(RUN_DIR):
	@mkdir -p $@

$(RUN_DIR)/schedule.ndjson: $(WORKLOAD) $(BIN)/plan $(RUN_DIR)/plan.flags | $(RUN_DIR)
	$(BIN)/plan $(PLAN_FLAGS) $(WORKLOAD) -o $@

# invoke and await-logs answer Ctrl-C by writing a complete file of what they did (marked
# interrupted). That file goes to X.part and becomes X only when the stage succeeded, so
# an interrupted stage is redone next time whatever order the signal reaches the processes.
# SHARDS=N runs N local invoke shards from a common start and merges them (docs/invoke.md).
# The stamp is in the emulator's state folder, beside the code it stands for: removing that
# folder redeploys.
ifneq ($(DEPLOYED),)
$(DEPLOYED): $(WORKLOAD) $(FUNCTION_FILES) | $(RUN_DIR)
	@mkdir -p $(@D)
	$(WITH_TARGET) scripts/deploy-functions.sh $(BIN)/plan $(WORKLOAD) $@
endif
deploy: $(DEPLOYED)

$(RUN_DIR)/invocations.ndjson: $(RUN_DIR)/schedule.ndjson $(BIN)/invoke $(DEPLOYED)
ifeq ($(filter-out 0 1,$(SHARDS)),)
	$(WITH_TARGET) $(BIN)/invoke $(INVOKE_FLAGS) $< -o $@.part && mv $@.part $@
else
	$(WITH_TARGET) scripts/run-shards.sh $(SHARDS) $(BIN) $< $@.part $(INVOKE_FLAGS) && mv $@.part $@
endif

# await-logs exits 3 when the wait timed out; its output is still complete for what it
# found and the report says what is missing, so the pipeline goes on.
$(RUN_DIR)/logs.ndjson: $(RUN_DIR)/invocations.ndjson $(BIN)/await-logs
	$(WITH_TARGET) $(BIN)/await-logs $(AWAIT_FLAGS) $< -o $@.part || { s=$$?; [ $$s -eq 3 ] && echo "pipeline: log wait timed out; continuing with what was found" >&2 || exit $$s; }
	mv $@.part $@

$(RUN_DIR)/models.json: $(RUN_DIR)/logs.ndjson $(BIN)/fit $(RUN_DIR)/fit.flags $(PRICES)
	$(BIN)/fit $(FIT_FLAGS) $(if $(PRICES),--prices $(PRICES)) $< -o $@

$(RUN_DIR)/report.html: $(RUN_DIR)/models.json $(RUN_DIR)/logs.ndjson $(RUN_DIR)/invocations.ndjson $(BIN)/report $(RUN_DIR)/report.flags
	$(BIN)/report $(REPORT_FLAGS) $(RUN_DIR)/models.json $(RUN_DIR)/logs.ndjson $(RUN_DIR)/invocations.ndjson -o $@

# The finished run goes into the history database (one transaction; a run recorded twice is
# one row). The stamp is touched only when the record succeeded.
$(RUN_DIR)/history.recorded: $(RUN_DIR)/models.json $(RUN_DIR)/logs.ndjson $(BIN)/history
	$(BIN)/history record $(RUN_DIR) --db $(HISTORY) && touch $@
history: $(RUN_DIR)/history.recorded

## Set each function's memory to the run's RULE recommendation (shows the changes and asks,
## unless APPLY_FLAGS=--yes; APPLY_FLAGS=--dry-run changes nothing). docs/pipeline.md#apply
apply: $(RUN_DIR)/models.json $(if $(HISTORY),$(RUN_DIR)/history.recorded)
	$(WITH_TARGET) $(BIN)/apply $(RUN_DIR) --rule $(RULE) $(if $(HISTORY),--history $(HISTORY),--no-record) $(APPLY_FLAGS)

# Options are recorded in files whose date changes only when the options do, so that
# changing FIT_FLAGS re-runs fit and report and nothing else. This happens while make
# reads this file (not in a recipe), so `make -n` shows exactly what would run.
record_flags = $(shell printf '%s\n' '$(strip $(2))' | cmp -s - $(RUN_DIR)/$(1).flags 2>/dev/null || printf '%s\n' '$(strip $(2))' > $(RUN_DIR)/$(1).flags)
ifneq ($(NAME),)
ifeq ($(filter test acceptance setup tools clean-run,$(MAKECMDGOALS)),)
$(shell mkdir -p $(RUN_DIR))
$(call record_flags,plan,$(PLAN_FLAGS))
$(call record_flags,fit,$(FIT_FLAGS) $(PRICES))
$(call record_flags,report,$(REPORT_FLAGS))
endif
endif

## The whole test suite (builds, failing on any import that is not a declared dependency,
## then runs every test target but AcceptanceTests). It checks
## structure only, never a timing, so it passes on a loaded machine. The end-to-end tests run
## their functions on the emulator, so they run after the rest, alone, rather than competing
## with forty other suites for two cores.
# The in-process emulator and the credential-refresh tests serve requests on Swift's
# cooperative thread pool (two threads on two cores), which other suites' blocking calls
# can occupy for minutes; they run alone, after the parallel phase, with the end-to-end tests.
SERIAL_TESTS := InProcessTests|RefreshAndErrorTests
test: setup
	swift build --build-tests --explicit-target-dependency-import-check=error
	swift test --skip-build --skip EndToEndTests --skip AcceptanceTests --skip '$(SERIAL_TESTS)'
	swift test --skip-build --filter '$(SERIAL_TESTS)' --no-parallel
	swift test --skip-build --filter EndToEndTests --no-parallel

## What depends on this machine's speed: the fitted models' accuracy and recommendations on a
## full pipeline run, the emulator's physics (run time against memory size, CPU share) and the
## tools' punctuality, on the live emulator. Slow (minutes); run it alone, on a quiet machine.
acceptance: setup
	swift build --build-tests
	RIGHTSIZE_ACCEPTANCE=1 swift test --skip-build --filter AcceptanceTests --no-parallel

clean-run:
	rm -rf $(RUN_DIR)
