# librte_iwarp: the two commands of the README, and a few helpers.
BUILD ?= build
MESON_OPTS ?=
ifeq ($(CI),true)
MESON_OPTS += -Dwerror=true
endif

.PHONY: all setup build demo test test-fast test-integration test-interop bench bench-instr clean

all: build

setup:
	@BUILD=$(BUILD) ./scripts/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true $(MESON_OPTS)

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@./scripts/demo.sh $(BUILD)

test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2

test-fast: build
	meson test -C $(BUILD) --print-errorlogs --suite fast

test-integration: build
	meson test -C $(BUILD) --print-errorlogs --suite integration

test-interop: build
	meson test -C $(BUILD) --print-errorlogs --suite interop --num-processes 1

bench: build
	@./scripts/bench.sh $(BUILD)

# callgrind instruction counts of the fast path (the last line is the budget figure)
bench-instr: build
	@./scripts/bench-instr.sh $(BUILD)

clean:
	rm -rf $(BUILD)
