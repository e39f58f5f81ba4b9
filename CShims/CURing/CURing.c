#define _GNU_SOURCE
#include "CURing.h"

int curing_opcode_supported(struct io_uring *ring, int opcode) {
    struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
    if (probe == NULL) return -ENOMEM;
    int supported = io_uring_opcode_supported(probe, opcode);
    io_uring_free_probe(probe);
    return supported;
}
