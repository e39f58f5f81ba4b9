/*
 * c-emulator: a stand-in for an emulator that links libtapring.
 *
 * It maps guest RAM, creates a tap netdev and an e1000 through the C API,
 * hands the NIC its guest memory and an eventfd as its interrupt line, and
 * then plays the guest's e1000 driver over MMIO, as a vCPU would: it
 * programs the receive ring, waits on the eventfd, reads ICR, reaps the
 * descriptors the NIC filled and gives them back with one RDT write.
 *
 *   c-emulator --ifname NAME [--frames N] [--idle SECONDS]
 *
 * After the receive holdback that follows the guest's RCTL write it prints
 * "ready"; it stops after N frames, or when none came for --idle seconds,
 * and prints what it received: frames, bytes, a digest of every frame in
 * order (FNV-1a 64 over each frame's 4-byte little-endian length and its
 * bytes) and the receive rate from the first frame to the last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <tapring.h>

/* Guest-physical layout: the receive ring, then its buffers. */
#define RAM_SIZE (16u << 20)
#define RING_ADDRESS 0x10000u
#define DESCRIPTORS 256u
#define BUFFER_ADDRESS 0x100000u
#define BUFFER_SIZE 2048u
#define BAR0 0xfebc0000u

/* e1000 registers and bits (Intel 8254x manual, 13.4). */
enum {
    REG_ICR = 0xc0, REG_IMS = 0xd0, REG_RCTL = 0x100,
    REG_RDBAL = 0x2800, REG_RDBAH = 0x2804, REG_RDLEN = 0x2808, REG_RDH = 0x2810, REG_RDT = 0x2818,
};
enum { RCTL_EN = 1u << 1, RCTL_BAM = 1u << 15, RCTL_SECRC = 1u << 26 };
enum { ICR_LSC = 1u << 2, ICR_RXDMT0 = 1u << 4, ICR_RXO = 1u << 6, ICR_RXT0 = 1u << 7 };
enum { STATUS_DD = 1u << 0 };

struct rx_descriptor {
    uint64_t buffer;
    uint16_t length;
    uint16_t checksum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};

static tapring_engine *engine;

static void check(int status, const char *what) {
    if (status != TAPRING_OK) {
        fprintf(stderr, "c-emulator: %s: %s (%d)\n", what, tapring_last_error(), status);
        exit(1);
    }
}

static void write_register(uint32_t offset, uint32_t value) {
    check(tapring_nic_mmio_write(engine, 0, offset, 4, value), "MMIO write");
}

static uint32_t read_register(uint32_t offset) {
    uint64_t value;
    check(tapring_nic_mmio_read(engine, 0, offset, 4, &value), "MMIO read");
    return (uint32_t)value;
}

static double seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *ifname = NULL;
    unsigned long expected = 0;
    double idle = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ifname")) ifname = argv[i + 1];
        else if (!strcmp(argv[i], "--frames")) expected = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--idle")) idle = atof(argv[i + 1]);
    }
    if (!ifname) {
        fprintf(stderr, "usage: c-emulator --ifname NAME [--frames N] [--idle SECONDS]\n");
        return 2;
    }

    uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (ram == MAP_FAILED) {
        perror("c-emulator: mmap");
        return 1;
    }
    char tap[128];
    snprintf(tap, sizeof tap, "tap,id=n0,ifname=%s,script=no,downscript=no", ifname);
    const char *options[] = {"-netdev", tap, "-device", "e1000,netdev=n0"};
    check(tapring_engine_create(options, 4, &engine), "tapring_engine_create");
    tapring_region region = {.guest_address = 0, .size = RAM_SIZE, .host = ram};
    check(tapring_nic_set_guest_memory(engine, 0, &region, 1), "tapring_nic_set_guest_memory");
    int interrupt = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    check(tapring_nic_set_interrupt_eventfd(engine, 0, interrupt), "tapring_nic_set_interrupt_eventfd");
    check(tapring_engine_start(engine), "tapring_engine_start");

    /* The guest: BAR0 and bus mastering, then the receive ring, as Linux's
     * e1000_configure_rx does it. */
    check(tapring_nic_config_write(engine, 0, 0x10, 4, BAR0), "config write");
    check(tapring_nic_config_write(engine, 0, 0x04, 2, 0x0006), "config write");
    struct rx_descriptor *ring = (struct rx_descriptor *)(ram + RING_ADDRESS);
    for (unsigned i = 0; i < DESCRIPTORS; i++) {
        ring[i] = (struct rx_descriptor){.buffer = BUFFER_ADDRESS + i * BUFFER_SIZE};
    }
    write_register(REG_RDBAL, RING_ADDRESS);
    write_register(REG_RDBAH, 0);
    write_register(REG_RDLEN, DESCRIPTORS * sizeof(struct rx_descriptor));
    write_register(REG_RDH, 0);
    write_register(REG_RDT, DESCRIPTORS - 1);
    write_register(REG_IMS, ICR_RXT0 | ICR_RXDMT0 | ICR_RXO | ICR_LSC);
    write_register(REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
    /* QEMU's e1000, and so TapRing's, holds reception back for a second
     * after an RCTL write; frames that arrive meanwhile wait in the tap. */
    usleep(1100 * 1000);
    printf("ready\n");
    fflush(stdout);

    unsigned long frames = 0, bytes = 0, interrupts = 0;
    uint64_t digest = 0xcbf29ce484222325ull;
    unsigned next = 0;
    double first = 0, last = 0, quiet_since = seconds_now();
    while (!expected || frames < expected) {
        struct pollfd waiter = {.fd = interrupt, .events = POLLIN};
        if (poll(&waiter, 1, 100) <= 0) {
            if (seconds_now() - quiet_since > idle) break;
            continue;
        }
        uint64_t count;
        if (read(interrupt, &count, sizeof count) == sizeof count) interrupts += count;
        (void)read_register(REG_ICR);
        /* NAPI: reap what is done, give it back, until a round finds nothing. */
        for (;;) {
            unsigned reaped = 0;
            while (reaped < 64 && (ring[next].status & STATUS_DD)) {
                __atomic_thread_fence(__ATOMIC_ACQUIRE);
                uint32_t length = ring[next].length;
                const uint8_t *frame = ram + ring[next].buffer;
                for (int shift = 0; shift < 32; shift += 8) digest = (digest ^ ((length >> shift) & 0xff)) * 0x100000001b3ull;
                for (uint32_t i = 0; i < length; i++) digest = (digest ^ frame[i]) * 0x100000001b3ull;
                bytes += length;
                ring[next].status = 0;
                next = (next + 1) % DESCRIPTORS;
                reaped++;
            }
            if (!reaped) break;
            if (!frames) first = seconds_now();
            frames += reaped;
            last = quiet_since = seconds_now();
            write_register(REG_RDT, (next + DESCRIPTORS - 1) % DESCRIPTORS);
        }
    }

    double elapsed = last - first;
    printf("frames %lu bytes %lu digest 0x%016llx interrupts %lu\n", frames, bytes, (unsigned long long)digest,
           interrupts);
    printf("received %lu frames in %.3f s: %.3f Mframes/s\n", frames, elapsed,
           elapsed > 0 ? frames / elapsed / 1e6 : 0);
    size_t ports;
    check(tapring_engine_port_count(engine, &ports), "tapring_engine_port_count");
    for (size_t port = 0; port < ports; port++) {
        tapring_port_statistics statistics;
        check(tapring_engine_port_statistics(engine, port, &statistics), "tapring_engine_port_statistics");
        printf("port %s: in %llu out %llu drops %llu\n", statistics.name, (unsigned long long)statistics.frames_in,
               (unsigned long long)statistics.frames_out, (unsigned long long)statistics.drops);
    }
    check(tapring_engine_destroy(engine), "tapring_engine_destroy");
    close(interrupt);
    munmap(ram, RAM_SIZE);
    return 0;
}
