# TapRing: `make run` and `make test` set everything up on a fresh machine.
SWIFT ?= swift
TAPRING := .build/release/tapring
# What the build, the tests and the demo need, as THING=DEBIAN_PACKAGE.
DEPS := /usr/include/liburing.h=liburing-dev ip=iproute2 ping=iputils-ping python3=python3 tcpdump=tcpdump \
	qemu-system-x86_64=qemu-system-x86
# What the side-by-side measurements against QEMU need besides.
BENCH_DEPS := iperf3=iperf3 perf=linux-perf

.PHONY: deps bench-deps build test tsan run bench clean

deps:
	@./Benchmarks/require $(DEPS)

bench-deps: deps
	@./Benchmarks/require $(BENCH_DEPS)

build: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The threading contracts under ThreadSanitizer: the e1000 with concurrent
# MMIO and receive, and the lanes between reactors.
TSAN_TESTS := ConcurrentAccessTests|HostileGuestTests|CrossbarTests|LaneTests
tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_TESTS)'

run: build
	$(TAPRING) bench

bench: build bench-deps
	cd Benchmarks && $(SWIFT) package benchmark
	./Benchmarks/forward-demo $(TAPRING) --census

clean:
	rm -rf .build .build-tsan Benchmarks/.build
