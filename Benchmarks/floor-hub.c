// floor-hub: the plainest io_uring hub between taps there is, the floor that
// `tapring run` is measured against. One thread, one ring, no batching policy:
// every tap keeps READS fixed-buffer reads in flight; a frame read on one tap
// is written to every other tap from the buffer it was read into, and that
// buffer's read is issued again once its last write completes.
//
// It takes the networking half of a QEMU command line, as `tapring run` does,
// so that the drain scripts can run either: every `-netdev tap,...` opens the
// tap its `ifname=` names, with a 12-byte vnet header when `vnet_hdr=on`
// (passed through as it is); every other option is ignored.
//
//   floor-hub [-r READS] -netdev tap,id=a,ifname=tap0 -netdev tap,id=b,ifname=tap1 ...
//
// Build: cc -O2 -o floor-hub floor-hub.c -luring (`make floor`).
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
    MAX_TAPS = 32,
    // A tap's longest frame, 65,535 bytes, and its vnet header.
    BUFFER_BYTES = 65536 + 64,
    WRITE_TAG = 1u << 31,
};

static int taps[MAX_TAPS];
static int tap_count;
static int reads_per_tap = 64;
static struct io_uring ring;
static unsigned char *buffers;
static unsigned *writes_left;

static void die(const char *what) {
    perror(what);
    exit(1);
}

// Opens the tap `options` names (QEMU's `tap,...,ifname=NAME[,vnet_hdr=on]`).
static void open_tap(const char *options) {
    const char *name = strstr(options, "ifname=");
    if (!name || tap_count == MAX_TAPS) {
        fprintf(stderr, "floor-hub: -netdev %s: need ifname= (at most %d taps)\n", options, MAX_TAPS);
        exit(2);
    }
    name += strlen("ifname=");
    struct ifreq request;
    memset(&request, 0, sizeof request);
    size_t length = strcspn(name, ",");
    memcpy(request.ifr_name, name, length < IFNAMSIZ - 1 ? length : IFNAMSIZ - 1);
    int vnet = strstr(options, "vnet_hdr=on") != NULL;
    request.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    int tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (tap < 0 || ioctl(tap, TUNSETIFF, &request) < 0) die(request.ifr_name);
    int header = 12;
    if (vnet && ioctl(tap, TUNSETVNETHDRSZ, &header) < 0) die("TUNSETVNETHDRSZ");
    taps[tap_count++] = tap;
}

static unsigned char *buffer(unsigned index) {
    return buffers + (size_t)index * BUFFER_BYTES;
}

static struct io_uring_sqe *next_sqe(void) {
    struct io_uring_sqe *sqe;
    while (!(sqe = io_uring_get_sqe(&ring))) io_uring_submit(&ring);
    return sqe;
}

// Buffer `index` belongs to tap `index / reads_per_tap`, which it reads into.
static void read_into(unsigned index) {
    struct io_uring_sqe *sqe = next_sqe();
    io_uring_prep_read_fixed(sqe, (int)(index / reads_per_tap), buffer(index), BUFFER_BYTES, 0, 0);
    sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe, index);
}

static void forward(unsigned index, unsigned bytes) {
    int source = (int)(index / reads_per_tap);
    writes_left[index] = (unsigned)tap_count - 1;
    for (int tap = 0; tap < tap_count; tap++) {
        if (tap == source) continue;
        struct io_uring_sqe *sqe = next_sqe();
        io_uring_prep_write_fixed(sqe, tap, buffer(index), bytes, 0, 0);
        sqe->flags |= IOSQE_FIXED_FILE;
        io_uring_sqe_set_data64(sqe, WRITE_TAG | index);
    }
}

int main(int argc, char **argv) {
    for (int arg = 1; arg < argc; arg++) {
        if (!strcmp(argv[arg], "-r") && arg + 1 < argc) {
            reads_per_tap = atoi(argv[++arg]);
        } else if (!strcmp(argv[arg], "-netdev") && arg + 1 < argc) {
            const char *options = argv[++arg];
            if (!strncmp(options, "tap,", 4)) open_tap(options);
        }
    }
    if (tap_count < 2 || reads_per_tap < 1) {
        fprintf(stderr, "usage: floor-hub [-r READS] -netdev tap,ifname=A -netdev tap,ifname=B ...\n");
        return 2;
    }
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (io_uring_queue_init_params(4096, &ring, &params) < 0) die("io_uring_queue_init_params");
    unsigned count = (unsigned)(tap_count * reads_per_tap);
    size_t bytes = (size_t)count * BUFFER_BYTES;
    buffers = aligned_alloc(4096, bytes);
    writes_left = calloc(count, sizeof *writes_left);
    if (!buffers || !writes_left) die("memory");
    struct iovec whole = {buffers, bytes};
    if (io_uring_register_buffers(&ring, &whole, 1) < 0) die("io_uring_register_buffers");
    if (io_uring_register_files(&ring, taps, (unsigned)tap_count) < 0) die("io_uring_register_files");
    for (unsigned index = 0; index < count; index++) read_into(index);
    for (;;) {
        io_uring_submit_and_wait(&ring, 1);
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            uint64_t tag = cqe->user_data;
            unsigned index = (unsigned)(tag & ~(uint64_t)WRITE_TAG);
            if (!(tag & WRITE_TAG)) {
                if (cqe->res > 0) forward(index, (unsigned)cqe->res);
                else read_into(index);
            } else if (--writes_left[index] == 0) {
                read_into(index);
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
}
