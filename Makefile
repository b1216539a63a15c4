# librte_iwarp: the two commands of the README, and a few helpers.
BUILD ?= build
MESON_OPTS ?=
ifeq ($(CI),true)
MESON_OPTS += -Dwerror=true
endif

.PHONY: all setup build demo test test-fast test-integration test-interop test-install \
	install examples bench bench-instr clean

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
	rm -rf $(BUILD)
