#include "CReference.h"
#include <stdlib.h>
#include <string.h>

struct descriptor {
    uint64_t address;
    uint16_t length;
    uint16_t checksum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};

struct creference_ring {
    uint8_t *ram;
    struct descriptor *descriptors;
    uint8_t *slots;
    int count, slotCount, length;
    unsigned head, clean, slot;
};

struct creference_ring *creference_ring_create(int descriptors, int slots, int length) {
    struct creference_ring *ring = calloc(1, sizeof *ring);
    ring->ram = aligned_alloc(4096, (size_t)descriptors * 2048 + (size_t)descriptors * 16);
    ring->descriptors = (struct descriptor *)(ring->ram + (size_t)descriptors * 2048);
    ring->slots = aligned_alloc(4096, (size_t)slots * 2048);
    memset(ring->ram, 0, (size_t)descriptors * 2048 + (size_t)descriptors * 16);
    memset(ring->slots, 0x5a, (size_t)slots * 2048);
    for (int i = 0; i < descriptors; i++) ring->descriptors[i].address = (uint64_t)i * 2048;
    ring->count = descriptors;
    ring->slotCount = slots;
    ring->length = length;
    return ring;
}

void creference_ring_destroy(struct creference_ring *ring) {
    free(ring->ram);
    free(ring->slots);
    free(ring);
}

int creference_receive_batch(struct creference_ring *ring, int batch) {
    for (int i = 0; i < batch; i++) {
        struct descriptor *d = &ring->descriptors[ring->head];
        memcpy(ring->ram + d->address, ring->slots + (size_t)ring->slot * 2048, ring->length);
        d->length = ring->length + 4;
        d->checksum = 0;
        d->errors = 0;
        d->special = 0;
        __atomic_store_n(&d->status, 3, __ATOMIC_RELEASE);
        ring->head = (ring->head + 1) % ring->count;
        ring->slot = (ring->slot + 1) % ring->slotCount;
    }
    int reaped = 0;
    while (reaped < batch) {
        struct descriptor *d = &ring->descriptors[ring->clean];
        if (!(__atomic_load_n(&d->status, __ATOMIC_ACQUIRE) & 1)) break;
        d->status = 0;
        ring->clean = (ring->clean + 1) % ring->count;
        reaped++;
    }
    return reaped;
}
