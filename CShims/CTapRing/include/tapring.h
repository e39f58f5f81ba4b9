/*
 * tapring.h: the C interface of TapRing, a packet engine for emulators.
 *
 * An emulator creates an engine from the networking half of a QEMU command
 * line, gives each guest NIC its guest memory and an interrupt line, starts
 * the engine, and forwards its vCPUs' MMIO and PCI configuration accesses to
 * the NICs. The engine's reactor threads move frames between the netdevs and
 * the NICs, DMA received frames into guest memory and raise the interrupt.
 *
 * Every function returns TAPRING_OK or a negative tapring_status, never
 * crashes on a bad argument, and leaves a message for tapring_last_error().
 * Handles are opaque: one that is NULL, or that tapring_engine_destroy()
 * has retired, is refused with TAPRING_ERR_HANDLE.
 *
 * Threads: tapring_engine_create, _start, _stop and _destroy belong to one
 * thread; the tapring_nic_* access functions and the statistics may be
 * called from any thread at once (each NIC serializes its own accesses).
 *
 * Stability: the functions, types and constants of API version 1 keep their
 * names, signatures and meaning in every later 1.x release; new ones may be
 * added. Link with `pkg-config --cflags --libs tapring`.
 *
 * The header is C99 and C++.
 */
#ifndef TAPRING_H
#define TAPRING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TAPRING_API_VERSION 1

/* What a function returns. */
typedef enum tapring_status {
    TAPRING_OK = 0,
    /* An argument is NULL, out of range or malformed. */
    TAPRING_ERR_ARGUMENT = -1,
    /* The handle is NULL or no longer valid. */
    TAPRING_ERR_HANDLE = -2,
    /* The QEMU options are invalid; the message is QEMU's. */
    TAPRING_ERR_OPTIONS = -3,
    /* Not now: the engine is not started yet, or already started. */
    TAPRING_ERR_STATE = -4,
    /* The system refused: a tap, a socket, a thread, memory. */
    TAPRING_ERR_SYSTEM = -5
} tapring_status;

/* An engine: its netdevs, NICs and reactor threads. */
typedef struct tapring_engine tapring_engine;

/* A range of guest-physical memory and the host memory behind it. */
typedef struct tapring_region {
    uint64_t guest_address;
    uint64_t size;
    void *host;
} tapring_region;

/* Reports the level (0 or 1) of a NIC's interrupt pin. Called with the NIC's
 * lock held, from whichever thread changed the level: it must not call the
 * NIC's access functions; it may read the statistics, which take no lock. */
typedef void (*tapring_interrupt_fn)(void *context, int level);

/* What one port (a netdev, then each NIC) has moved. "In" is toward the
 * engine, "out" is what the engine delivered: for a NIC, frames placed in
 * the guest's receive ring. */
typedef struct tapring_port_statistics {
    char name[64];
    uint64_t frames_in;
    uint64_t bytes_in;
    uint64_t frames_out;
    uint64_t bytes_out;
    uint64_t drops;
    uint64_t errors;
} tapring_port_statistics;

/* The message of the last failure on the calling thread, or "" after a
 * success. Valid until the thread's next call into TapRing. */
const char *tapring_last_error(void);

/* Parses `count` words of QEMU networking options, such as
 * {"-netdev", "tap,id=n0,ifname=tap0", "-device", "e1000,netdev=n0"}, and
 * makes an engine for them. Nothing is opened until tapring_engine_start.
 * Options that ask for help (`-netdev help`, `-device e1000,help`) make no
 * engine: TAPRING_ERR_OPTIONS, with QEMU's answer as the message. */
int tapring_engine_create(const char *const *options, size_t count, tapring_engine **engine);

/* The number of guest NICs of the options, in their order. */
int tapring_engine_nic_count(tapring_engine *engine, size_t *count);

/* Gives NIC `nic` its guest memory: `count` regions that must not overlap.
 * Before start, required for every NIC; after start, it replaces the memory
 * (hot-plug): DMA under way finishes first, and the old regions may be
 * unmapped once this returns. The regions are copied. */
int tapring_nic_set_guest_memory(tapring_engine *engine, size_t nic, const tapring_region *regions, size_t count);

/* Signals `eventfd` on each rising edge of the NIC's interrupt line, as
 * KVM's irqfd expects. Before start only. Anything but an eventfd (a pipe,
 * whose writes block once it is full) is refused with TAPRING_ERR_ARGUMENT. */
int tapring_nic_set_interrupt_eventfd(tapring_engine *engine, size_t nic, int eventfd);

/* Drives the NIC's INTx pin as KVM's level-triggered irqfd expects
 * (KVM_IRQFD_FLAG_RESAMPLE): `trigger` is signalled on each rising edge of
 * the line, and again each time `resample` is signalled (the guest's EOI)
 * while the line is still high. The engine keeps copies of both eventfds
 * and watches `resample` on a thread of its own. Before start only; anything
 * but two eventfds is refused with TAPRING_ERR_ARGUMENT. */
int tapring_nic_set_interrupt_intx(tapring_engine *engine, size_t nic, int trigger, int resample);

/* Calls `report` with each change of the NIC's interrupt line. Before start only. */
int tapring_nic_set_interrupt_callback(tapring_engine *engine, size_t nic, tapring_interrupt_fn report,
                                       void *context);

/* Opens the netdevs, creates the NICs and starts the reactor threads. */
int tapring_engine_start(tapring_engine *engine);

/* Stops the reactor threads; the NICs keep answering accesses, and frames
 * the guest sends from now on are counted as drops. */
int tapring_engine_stop(tapring_engine *engine);

/* Stops the engine if needed, closes its netdevs and retires the handle.
 * Calls on other threads that are under way finish first; those that come
 * after get TAPRING_ERR_HANDLE. */
int tapring_engine_destroy(tapring_engine *engine);

/* Reads `width` (1, 2, 4 or 8) bytes of NIC `nic`'s BAR0 at `offset`. After start. */
int tapring_nic_mmio_read(tapring_engine *engine, size_t nic, uint64_t offset, unsigned width, uint64_t *value);

/* Writes `width` (1, 2, 4 or 8) bytes of NIC `nic`'s BAR0 at `offset`. After start. */
int tapring_nic_mmio_write(tapring_engine *engine, size_t nic, uint64_t offset, unsigned width, uint64_t value);

/* Reads `width` (1, 2 or 4) bytes of NIC `nic`'s BAR1, its 64-byte I/O BAR,
 * at `offset`. QEMU 7.2's e1000 has nothing behind it, and neither has
 * TapRing's: reads give 0 and writes are dropped. After start. */
int tapring_nic_io_read(tapring_engine *engine, size_t nic, uint64_t offset, unsigned width, uint32_t *value);

/* Writes `width` (1, 2 or 4) bytes of NIC `nic`'s BAR1 at `offset`. After start. */
int tapring_nic_io_write(tapring_engine *engine, size_t nic, uint64_t offset, unsigned width, uint32_t value);

/* Reads `width` (1, 2 or 4) bytes of NIC `nic`'s PCI configuration space. After start. */
int tapring_nic_config_read(tapring_engine *engine, size_t nic, unsigned offset, unsigned width, uint32_t *value);

/* Writes `width` (1, 2 or 4) bytes of NIC `nic`'s PCI configuration space. After start. */
int tapring_nic_config_write(tapring_engine *engine, size_t nic, unsigned offset, unsigned width, uint32_t value);

/* The MAC address NIC `nic` has: its mac=, or the one QEMU would give it. */
int tapring_nic_mac_address(tapring_engine *engine, size_t nic, uint8_t mac[6]);

/* The number of ports: the netdevs the engine reads and writes, then each NIC. After start. */
int tapring_engine_port_count(tapring_engine *engine, size_t *count);

/* A snapshot of port `port`'s counters. After start. */
int tapring_engine_port_statistics(tapring_engine *engine, size_t port, tapring_port_statistics *statistics);

#ifdef __cplusplus
}
#endif

#endif
