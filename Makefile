# TapRing: `make run` and `make test` set everything up on a fresh machine.
SWIFT ?= swift
TAPRING := .build/release/tapring
# What the build, the tests and the demo need, as THING=DEBIAN_PACKAGE.
DEPS := /usr/include/liburing.h=liburing-dev ip=iproute2 ping=iputils-ping python3=python3 tcpdump=tcpdump \
	pkg-config=pkg-config qemu-system-x86_64=qemu-system-x86 \
	/boot/ipxe.lkrn=ipxe /bin/busybox=busybox-static cpio=cpio /vmlinuz=linux-image-amd64
# What the side-by-side measurements against QEMU need besides.
BENCH_DEPS := iperf3=iperf3 perf=linux-perf

.PHONY: deps bench-deps build floor test tsan asan run bench soak install example docs api api-check clean

deps:
	@./Benchmarks/require $(DEPS)

bench-deps: deps
	@./Benchmarks/require $(BENCH_DEPS)

build: deps
	$(SWIFT) build -c release

# The floor `tapring run` is measured against: a plain C hub on one io_uring
# (Benchmarks/floor-hub.c). BASE=.build/floor-hub runs it as the baseline of
# the side-by-side scripts.
FLOOR := .build/floor-hub
floor: $(FLOOR)
$(FLOOR): Benchmarks/floor-hub.c | deps
	@mkdir -p .build
	$(CC) -O2 -Wall -Wextra -o $@ $< -luring

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The whole test suite under ThreadSanitizer and under AddressSanitizer, in
# scratch paths of their own. TAPRING_SANITIZER tells the tests, which leave
# out those that need frames at rates a sanitized build cannot reach.
tsan asan: deps
	$(SWIFT) build --build-tests --sanitize=$(SANITIZER) --scratch-path .build-$@
	TAPRING_SANITIZER=$(SANITIZER) LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/lsan.supp \
		$(SWIFT) test --skip-build --sanitize=$(SANITIZER) --scratch-path .build-$@
tsan: SANITIZER := thread
asan: SANITIZER := address

# Four taps and an e1000 on one hub at full rate: every frame accounted for,
# resident memory flat; then the same topology stopped by SIGINT at a random
# moment of each 30 s, SOAK_INTERRUPTS times, every frame accounted for each time.
SOAK_SECONDS ?= 600
SOAK_INTERRUPTS ?= 20
soak: build
	./Benchmarks/soak $(TAPRING) --seconds $(SOAK_SECONDS)
	./Benchmarks/soak $(TAPRING) --interrupts $(SOAK_INTERRUPTS) --window 30

# libtapring.so, tapring.h and tapring.pc under PREFIX, for emulators in C.
PREFIX ?= /usr/local
VERSION := 1.0.0
install: deps
	$(SWIFT) build -c release --product TapRingC
	install -d $(PREFIX)/lib/pkgconfig $(PREFIX)/include
	install -m 755 .build/release/libTapRingC.so $(PREFIX)/lib/libtapring.so
	install -m 644 CShims/CTapRing/include/tapring.h $(PREFIX)/include/tapring.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' CShims/CTapRing/tapring.pc.in \
		> $(PREFIX)/lib/pkgconfig/tapring.pc

# The C emulator loop of Examples/c-emulator against a real tap, installed
# under a scratch prefix: frames injected on the tap must reach guest RAM.
EXAMPLE_PREFIX ?= /tmp/tapring-example
example:
	$(MAKE) install PREFIX=$(EXAMPLE_PREFIX)
	PKG_CONFIG_PATH=$(EXAMPLE_PREFIX)/lib/pkgconfig $(MAKE) -C Examples/c-emulator
	./Examples/c-emulator/abi-test
	./Examples/c-emulator/check

# The DocC catalogs of TapRingOptions and TapRing, the latter with its
# article on embedding TapRing in an emulator.
docs:
	mkdir -p .build/docs
	for target in TapRingOptions TapRing; do \
		$(SWIFT) package --allow-writing-to-directory .build/docs/$$target generate-documentation \
			--target $$target --output-path .build/docs/$$target --warnings-as-errors || exit 1; \
	done

# docs/API.md, the public Swift API as a symbol-graph dump shows it;
# `make api-check` (CI) fails when it, or the README's list of public
# types, is not what the code declares.
SYMBOL_GRAPHS = $$(dirname $$($(SWIFT) build --show-bin-path))/symbolgraph
api:
	$(SWIFT) package dump-symbol-graph --minimum-access-level public >/dev/null
	./Tests/API/listing.py $(SYMBOL_GRAPHS) > docs/API.md

api-check:
	$(SWIFT) package dump-symbol-graph --minimum-access-level public >/dev/null
	./Tests/API/listing.py $(SYMBOL_GRAPHS) --check

run: build
	$(TAPRING) bench

bench: build floor bench-deps
	cd Benchmarks && $(SWIFT) package benchmark
	./Benchmarks/forward-demo $(TAPRING) --census
	./Benchmarks/side-by-side

# The libFuzzer targets of Fuzz/ (the option parser, the qtest protocol, the
# e1000 driven by a program, frames through the e1000's header paths, GSO
# frames through the segmenter, call sequences through tapring.h, and the
# VM side of multi-process QEMU against the x-remote server), built with
# AddressSanitizer, TapRing instrumented too; each runs FUZZ_SECONDS. `make fuzz-smoke` is the short
# run CI can afford.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := FuzzOptions FuzzQTest FuzzE1000 FuzzFrames FuzzSegmenter FuzzCInterface FuzzRemote
.PHONY: fuzz-build fuzz fuzz-smoke
fuzz-build: deps
	$(SWIFT) build -c release --package-path Fuzz --scratch-path Fuzz/.build \
		--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
	# FuzzCInterface loads libTapRingC.so by its soname.
	ln -sf libTapRingC.so Fuzz/.build/release/libtapring.so

fuzz: fuzz-build
	./Fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

clean:
	rm -rf .build .build-tsan .build-asan Benchmarks/.build Fuzz/.build
