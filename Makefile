# librte_iwarp: the two commands of the README, and a few helpers.
BUILD ?= build
# The sanitizer build (ASan + UBSan, every finding fatal): make test runs the
# fast and integration suites there too, with timeouts SAN_TIMEOUT_MULT times
# longer (ASan slows the engine and the polling loops about 2x).
SAN_BUILD ?= build-san
SAN_TIMEOUT_MULT ?= 3
MESON_OPTS ?=
ifeq ($(CI),true)
MESON_OPTS += -Dwerror=true
endif

.PHONY: all setup build build-san demo test test-san test-san-run test-fast test-integration \
	test-interop test-install test-fuzz install examples bench bench-instr clean

all: build

setup:
	@BUILD=$(BUILD) ./scripts/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true $(MESON_OPTS)

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(SAN_BUILD)/build.ninja:
	meson setup $(SAN_BUILD) -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
		$(MESON_OPTS)

build-san: setup $(SAN_BUILD)/build.ninja
	ninja -C $(SAN_BUILD)

demo: build
	@./scripts/demo.sh $(BUILD)

# Every suite of the normal build (the fuzz suite: each libFuzzer target from its
# committed corpus), then fast and integration under ASan + UBSan; fails if
# either fails.
test: build build-san
	@rc=0; \
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 || rc=1; \
	$(MAKE) --no-print-directory test-san-run || rc=1; \
	exit $$rc

test-san: build-san
	@$(MAKE) --no-print-directory test-san-run

test-san-run:
	meson test -C $(SAN_BUILD) --print-errorlogs --num-processes 2 \
		--suite fast --suite integration --timeout-multiplier $(SAN_TIMEOUT_MULT)

test-fuzz: build
	meson test -C $(BUILD) --print-errorlogs --suite fuzz --num-processes 2

test-fast: build
	meson test -C $(BUILD) --print-errorlogs --suite fast

test-integration: build
	meson test -C $(BUILD) --print-errorlogs --suite integration

test-install: build
	meson test -C $(BUILD) --print-errorlogs --suite install

# make install [PREFIX=/opt/iwarp] [DESTDIR=/staging]: the library (.so and .a),
# the headers (PREFIX/include/iwarp), librte_iwarp.pc and the apps. PREFIX
# (default /usr/local) becomes the build directory's prefix.
PREFIX ?= /usr/local
install: build
	meson configure $(BUILD) -Dprefix=$(abspath $(PREFIX))
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

# the examples, built against the installed library (make install first)
examples:
	$(MAKE) -C examples PKG_CONFIG_PATH=$$(find $(abspath $(DESTDIR)$(PREFIX)) -name librte_iwarp.pc -printf '%h' -quit):$$PKG_CONFIG_PATH

test-interop: build
	meson test -C $(BUILD) --print-errorlogs --suite interop --num-processes 1

bench: build
	@./scripts/bench.sh $(BUILD)

# callgrind instruction counts of the fast path (the last line is the budget figure)
bench-instr: build
	@./scripts/bench-instr.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
