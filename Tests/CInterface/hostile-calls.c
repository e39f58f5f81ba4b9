/*
 * hostile-calls: what an emulator must not be able to break through
 * tapring.h, one check per argument: races with destroy, arithmetic on the
 * caller's values, interrupt lines that could block, INTx with resample,
 * re-entry from the interrupt callback, a guest that sends after the engine
 * stopped, and
 * options nested deeper than a small thread stack would take.
 * Prints one FAIL line per broken promise; exits 1 if there was any.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <tapring.h>

enum { RAM = 1 << 20, RING = 0x1000, BUFFER = 0x8000, DESCRIPTORS = 256 };
enum { TCTL = 0x400, TDBAL = 0x3800, TDBAH = 0x3804, TDLEN = 0x3808, TDH = 0x3810, TDT = 0x3818 };
enum { ICS = 0xC8, IMS = 0xD0 };

static int failures;
/* Guest RAM and an interrupt eventfd, as an emulator has them; every check
 * gives them to its engines. */
static uint8_t *ram;
static int line;

static void fail(const char *what, int status) {
    printf("FAIL %s: status %d, message \"%s\"\n", what, status, tapring_last_error());
    failures++;
}

static void expect(int status, int wanted, const char *what) {
    if (status != wanted) fail(what, status);
}

static void expect_message(const char *needle, const char *what) {
    if (!strstr(tapring_last_error(), needle)) {
        printf("FAIL %s: message \"%s\" does not say \"%s\"\n", what, tapring_last_error(), needle);
        failures++;
    }
}

/* An engine with one e1000 on a hub port, the guest RAM and, `with_line`, the eventfd line. */
static tapring_engine *make_engine(int with_line) {
    const char *options[] = {"-netdev", "hubport,id=h,hubid=0", "-device", "e1000,netdev=h"};
    tapring_engine *engine = NULL;
    expect(tapring_engine_create(options, 4, &engine), TAPRING_OK, "create");
    tapring_region region = {0, RAM, ram};
    expect(tapring_nic_set_guest_memory(engine, 0, &region, 1), TAPRING_OK, "set_guest_memory");
    if (with_line) expect(tapring_nic_set_interrupt_eventfd(engine, 0, line), TAPRING_OK, "set_interrupt_eventfd");
    return engine;
}

/* `make_engine` with the line, started. */
static tapring_engine *start_engine(void) {
    tapring_engine *engine = make_engine(1);
    expect(tapring_engine_start(engine), TAPRING_OK, "start");
    return engine;
}

/* A transmit ring of 60-byte frames (EOP | RS | IFCS) and the device set to send. */
static void program_transmit(tapring_engine *engine) {
    for (int index = 0; index < DESCRIPTORS; index++) {
        uint8_t *descriptor = ram + RING + 16 * index;
        uint64_t address = BUFFER;
        uint32_t command = 60 | 0x0B000000u;
        memset(descriptor, 0, 16);
        memcpy(descriptor, &address, 8);
        memcpy(descriptor + 8, &command, 4);
    }
    memset(ram + BUFFER, 0xff, 12);
    tapring_nic_config_write(engine, 0, 4, 2, 0x6); /* memory space, bus master */
    tapring_nic_mmio_write(engine, 0, TDBAL, 4, RING);
    tapring_nic_mmio_write(engine, 0, TDBAH, 4, 0);
    tapring_nic_mmio_write(engine, 0, TDLEN, 4, 16 * DESCRIPTORS);
    tapring_nic_mmio_write(engine, 0, TDH, 4, 0);
    tapring_nic_mmio_write(engine, 0, TDT, 4, 0);
    tapring_nic_mmio_write(engine, 0, TCTL, 4, 0x2 | 0x8);
}

struct vcpu {
    tapring_engine *engine;
    unsigned seed;
    atomic_int *refused;
};

/* Writes TDT until the handle is refused: the engine is gone. */
static void *transmit_until_refused(void *argument) {
    struct vcpu *vcpu = argument;
    for (;;) {
        int status = tapring_nic_mmio_write(vcpu->engine, 0, TDT, 4, rand_r(&vcpu->seed) % DESCRIPTORS);
        if (status == TAPRING_ERR_HANDLE) break;
        if (status != TAPRING_OK) {
            fail("TDT write racing destroy", status);
            break;
        }
    }
    atomic_fetch_add(vcpu->refused, 1);
    return NULL;
}

/* Four vCPU threads write TDT while the control thread destroys the engine. */
static void destroy_race(int iterations) {
    for (int iteration = 0; iteration < iterations; iteration++) {
        tapring_engine *engine = start_engine();
        program_transmit(engine);
        atomic_int refused = 0;
        pthread_t threads[4];
        struct vcpu vcpus[4];
        for (int index = 0; index < 4; index++) {
            vcpus[index] = (struct vcpu){engine, (unsigned)(iteration * 4 + index), &refused};
            pthread_create(&threads[index], NULL, transmit_until_refused, &vcpus[index]);
        }
        struct timespec pause = {0, (iteration % 5) * 200000};
        nanosleep(&pause, NULL);
        expect(tapring_engine_destroy(engine), TAPRING_OK, "destroy under TDT writes");
        for (int index = 0; index < 4; index++) pthread_join(threads[index], NULL);
        if (refused != 4) fail("every vCPU thread sees the handle refused", refused);
    }
}

/* Arithmetic on the caller's values: offsets, regions and size_t indices. */
static void overflowing_arguments(void) {
    tapring_engine *engine = start_engine();
    uint32_t value32;
    expect(tapring_nic_config_read(engine, 0, 0xFFFFFFFEu, 4, &value32), TAPRING_ERR_ARGUMENT, "config_read at 0xFFFFFFFE");
    expect(tapring_nic_config_read(engine, 0, 0xFFFFFFFFu, 1, &value32), TAPRING_ERR_ARGUMENT, "config_read at 0xFFFFFFFF");
    expect(tapring_nic_config_write(engine, 0, 0xFFFFFFFEu, 4, 0), TAPRING_ERR_ARGUMENT, "config_write at 0xFFFFFFFE");
    expect(tapring_nic_config_write(engine, 0, 0xFFFFFFFFu, 2, 0), TAPRING_ERR_ARGUMENT, "config_write at 0xFFFFFFFF");

    tapring_region wrapping[2] = {{0xFFFFFFFFFFFFE000u, 0x3000, ram}, {0xFFFFFFFFFFFFF000u, 0x1000, ram}};
    expect(tapring_nic_set_guest_memory(engine, 0, wrapping, 2), TAPRING_ERR_ARGUMENT, "regions past 2^64");
    expect_message("runs past the end of the 64-bit address space", "regions past 2^64");
    tapring_region top[2] = {{0, RAM / 2, ram}, {0xFFFFFFFFFFFFF000u, 0x1000, ram + RAM / 2}};
    expect(tapring_nic_set_guest_memory(engine, 0, top, 2), TAPRING_OK, "a region ending at 2^64");
    tapring_region huge = {0, (uint64_t)INT64_MAX + 1, ram};
    expect(tapring_nic_set_guest_memory(engine, 0, &huge, 1), TAPRING_ERR_ARGUMENT, "a size over INT64_MAX");
    expect_message("more than a process can map", "a size over INT64_MAX");
    expect(tapring_nic_set_guest_memory(engine, 0, top, SIZE_MAX), TAPRING_ERR_ARGUMENT, "SIZE_MAX regions");
    expect_message("18446744073709551615", "SIZE_MAX regions");
    expect(tapring_nic_mmio_write(engine, SIZE_MAX, 0, 4, 0), TAPRING_ERR_ARGUMENT, "nic SIZE_MAX");
    expect_message("nic 18446744073709551615", "nic SIZE_MAX");
    tapring_port_statistics statistics;
    expect(tapring_engine_port_statistics(engine, SIZE_MAX, &statistics), TAPRING_ERR_ARGUMENT, "port SIZE_MAX");
    expect_message("port 18446744073709551615", "port SIZE_MAX");
    expect(tapring_engine_destroy(engine), TAPRING_OK, "destroy");
}

/* Only an eventfd is an interrupt line: a pipe fills up and would block. */
static void interrupt_lines(void) {
    tapring_engine *engine = make_engine(0);
    int ends[2];
    if (pipe(ends) != 0) return;
    expect(tapring_nic_set_interrupt_eventfd(engine, 0, ends[1]), TAPRING_ERR_ARGUMENT, "a pipe as the interrupt line");
    expect_message("not an eventfd", "a pipe as the interrupt line");
    expect(tapring_nic_set_interrupt_eventfd(engine, 0, -1), TAPRING_ERR_ARGUMENT, "descriptor -1 as the interrupt line");
    expect(tapring_nic_set_interrupt_eventfd(engine, 0, line), TAPRING_OK, "an eventfd as the interrupt line");
    expect(tapring_engine_destroy(engine), TAPRING_OK, "destroy");
    close(ends[0]);
    close(ends[1]);
}

/* INTx with resample: only two eventfds; the pin is raised on the rising
 * edge and again on resample while still high. The I/O BAR reads 0. */
static void intx_and_io(void) {
    tapring_engine *engine = make_engine(0);
    int ends[2];
    if (pipe(ends) != 0) return;
    int trigger = eventfd(0, EFD_NONBLOCK), resample = eventfd(0, EFD_NONBLOCK);
    expect(tapring_nic_set_interrupt_intx(engine, 0, ends[1], resample), TAPRING_ERR_ARGUMENT, "a pipe as the INTx trigger");
    expect_message("trigger: descriptor", "a pipe as the INTx trigger");
    expect(tapring_nic_set_interrupt_intx(engine, 0, trigger, -1), TAPRING_ERR_ARGUMENT, "descriptor -1 as resample");
    expect(tapring_nic_set_interrupt_intx(engine, 0, trigger, resample), TAPRING_OK, "two eventfds as the INTx line");
    expect(tapring_engine_start(engine), TAPRING_OK, "start");
    uint64_t count = 0, one = 1;
    expect(tapring_nic_mmio_write(engine, 0, IMS, 4, 0x80), TAPRING_OK, "IMS");
    expect(tapring_nic_mmio_write(engine, 0, ICS, 4, 0x80), TAPRING_OK, "ICS");
    if (read(trigger, &count, 8) != 8 || count != 1) fail("the rising edge signals the trigger", 0);
    if (write(resample, &one, 8) != 8) fail("write resample", 0);
    count = 0;
    for (int tries = 0; tries < 1000 && read(trigger, &count, 8) != 8; tries++) usleep(1000);
    if (count != 1) fail("a resample while the line is high signals the trigger again", 0);
    uint32_t value = 1;
    expect(tapring_nic_io_read(engine, 0, 0, 4, &value), TAPRING_OK, "io_read");
    if (value != 0) fail("the I/O BAR reads 0, as QEMU's", (int)value);
    expect(tapring_nic_io_write(engine, 0, 4, 4, 0x8), TAPRING_OK, "io_write");
    expect(tapring_nic_io_read(engine, 0, 0, 8, &value), TAPRING_ERR_ARGUMENT, "io_read width 8");
    expect(tapring_nic_io_read(engine, 0, 64, 1, &value), TAPRING_ERR_ARGUMENT, "io_read past BAR1");
    expect_message("BAR1 has 64 bytes", "io_read past BAR1");
    expect(tapring_engine_destroy(engine), TAPRING_OK, "destroy");
    close(trigger);
    close(resample);
    close(ends[0]);
    close(ends[1]);
}

static tapring_engine *callback_engine;
static atomic_int statistics_read;

static void read_statistics(void *context, int level) {
    (void)context;
    tapring_port_statistics statistics;
    if (level && tapring_engine_port_statistics(callback_engine, 0, &statistics) == TAPRING_OK)
        atomic_fetch_add(&statistics_read, 1);
}

/* The interrupt callback runs with the NIC's lock held; statistics take none. */
static void statistics_from_callback(void) {
    callback_engine = make_engine(0);
    expect(tapring_nic_set_interrupt_callback(callback_engine, 0, read_statistics, NULL), TAPRING_OK, "set callback");
    expect(tapring_engine_start(callback_engine), TAPRING_OK, "start");
    alarm(20);
    tapring_nic_mmio_write(callback_engine, 0, IMS, 4, 0x1);
    tapring_nic_mmio_write(callback_engine, 0, ICS, 4, 0x1);
    alarm(0);
    if (statistics_read != 1) fail("statistics read from the interrupt callback", statistics_read);
    expect(tapring_engine_destroy(callback_engine), TAPRING_OK, "destroy");
}

/* Frames a guest sends once the engine stopped are counted as drops. */
static void transmit_after_stop(void) {
    tapring_engine *engine = start_engine();
    program_transmit(engine);
    expect(tapring_engine_stop(engine), TAPRING_OK, "stop");
    expect(tapring_nic_mmio_write(engine, 0, TDT, 4, 100), TAPRING_OK, "TDT write after stop");
    uint64_t head = 0;
    tapring_nic_mmio_read(engine, 0, TDH, 4, &head);
    size_t ports = 0;
    expect(tapring_engine_port_count(engine, &ports), TAPRING_OK, "port_count");
    uint64_t drops = 0;
    for (size_t port = 0; port < ports; port++) {
        tapring_port_statistics statistics;
        expect(tapring_engine_port_statistics(engine, port, &statistics), TAPRING_OK, "port_statistics");
        drops += statistics.drops;
    }
    if (head != 100 || drops != 100) {
        printf("FAIL transmit after stop: TDH %llu, %llu drops (wanted 100 and 100)\n", (unsigned long long)head,
               (unsigned long long)drops);
        failures++;
    }
    expect(tapring_engine_destroy(engine), TAPRING_OK, "destroy");
}

/* JSON as deep as QEMU parses it, and deeper, on a 1 MiB thread stack. */
static void *create_deep(void *argument) {
    int depth = *(int *)argument;
    char *text = malloc(5 * (size_t)depth + 2 * (size_t)depth + 2);
    char *end = text;
    for (int level = 0; level < depth; level++) end += sprintf(end, "{\"a\":");
    *end++ = '1';
    for (int level = 0; level < depth; level++) *end++ = '}';
    *end = 0;
    const char *options[] = {"-netdev", text};
    tapring_engine *engine = NULL;
    int status = tapring_engine_create(options, 2, &engine);
    if (status != TAPRING_ERR_OPTIONS) fail("deep JSON is refused as options", status);
    if (depth > 1024) expect_message("JSON nesting depth limit exceeded", "JSON deeper than 1024");
    free(text);
    return NULL;
}

static void deep_json(void) {
    int depths[] = {1024, 5000};
    for (int index = 0; index < 2; index++) {
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setstacksize(&attributes, 1 << 20);
        pthread_t thread;
        pthread_create(&thread, &attributes, create_deep, &depths[index]);
        pthread_join(thread, NULL);
        pthread_attr_destroy(&attributes);
    }
}

/* A help request makes no engine; QEMU's answer is the message. */
static void help_request(void) {
    const char *options[] = {"-netdev", "help"};
    tapring_engine *engine = NULL;
    int status = tapring_engine_create(options, 2, &engine);
    if (status != TAPRING_ERR_OPTIONS || engine != NULL) fail("a help request makes no engine", status);
    expect_message("Available netdev backend types:\nsocket\n", "the netdev types");
}

int main(int argc, char **argv) {
    const char *check = argc > 1 ? argv[1] : "all";
    ram = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    line = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int all = !strcmp(check, "all");
    if (all || !strcmp(check, "destroy-race")) destroy_race(argc > 2 ? atoi(argv[2]) : 20);
    if (all || !strcmp(check, "overflow")) overflowing_arguments();
    if (all || !strcmp(check, "interrupt-lines")) interrupt_lines();
    if (all || !strcmp(check, "intx-and-io")) intx_and_io();
    if (all || !strcmp(check, "statistics-from-callback")) statistics_from_callback();
    if (all || !strcmp(check, "transmit-after-stop")) transmit_after_stop();
    if (all || !strcmp(check, "deep-json")) deep_json();
    if (all || !strcmp(check, "help-request")) help_request();
    printf("%s: %d failures\n", check, failures);
    return failures ? 1 : 0;
}
