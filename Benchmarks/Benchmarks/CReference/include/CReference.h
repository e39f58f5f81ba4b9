// The bare C reference for the e1000 receive benchmark: what a receive path
// costs with nothing but a copy and a descriptor write-back per frame.
#ifndef CREFERENCE_H
#define CREFERENCE_H
#include <stdint.h>

/// A ring of `descriptors` 16-byte receive descriptors and 2 KiB buffers in
/// "guest RAM", and `slots` 2 KiB slots holding the frame.
struct creference_ring;

struct creference_ring *creference_ring_create(int descriptors, int slots, int length);
void creference_ring_destroy(struct creference_ring *ring);

/// Copies `batch` frames from consecutive slots into the next descriptors'
/// buffers, writes each descriptor back with DD last, then reaps them as a
/// guest would; returns the frames reaped.
int creference_receive_batch(struct creference_ring *ring, int batch);

#endif
