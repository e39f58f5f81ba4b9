// CURing: the parts of liburing 2.3 that Swift cannot import or that 2.3 lacks.
//
// Everything else (io_uring_get_sqe, io_uring_prep_*_fixed, buffer-ring helpers,
// io_uring_peek_batch_cqe, ...) is called from Swift directly.
#ifndef CURING_H
#define CURING_H

// No _GNU_SOURCE here: it would change glibc's fd_set as this module sees it,
// and the module would then clash with SwiftGlibc. liburing's header does not
// need it; CURing.c defines it. liburing.h itself defines _XOPEN_SOURCE, so
// <sys/select.h> comes first, as SwiftGlibc sees it.
#include <sys/select.h>

// The kernel's header first: swift-system carries its own copy of
// <linux/io_uring.h>, and liburing's must not redefine what it declares.
#include <linux/io_uring.h>
#include <liburing.h>

// Submission flags, which the uapi header builds from enum bits in macros.
static const unsigned char CURING_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;
static const unsigned char CURING_IOSQE_IO_LINK = IOSQE_IO_LINK;
static const unsigned char CURING_IOSQE_CQE_SKIP_SUCCESS = IOSQE_CQE_SKIP_SUCCESS;

// RWF_NOWAIT from <linux/fs.h> (Linux 4.14): a read or write that would wait
// fails with EAGAIN instead, and io_uring then neither polls nor retries it.
// Its value is fixed by the kernel ABI; the header that has it clashes with glibc's.
static const unsigned int CURING_RWF_NOWAIT = 0x00000008;

// IORING_OP_READ_MULTISHOT arrived in Linux 6.7, after the uapi header that
// liburing 2.3 builds against; its opcode number is fixed by the kernel ABI.
enum { CURING_OP_READ_MULTISHOT = 49 };

/// Prepares a multishot read: the kernel picks a buffer from the provided
/// buffer ring `group` for every datagram that `fd` yields, and posts one
/// completion per read with IORING_CQE_F_MORE set while the request stays armed.
/// liburing 2.3 lacks `io_uring_prep_read_multishot`; this is its equivalent.
static inline void curing_prep_read_multishot(struct io_uring_sqe *sqe, int fd,
                                              unsigned short group) {
    io_uring_prep_rw(CURING_OP_READ_MULTISHOT, sqe, fd, NULL, 0, 0);
    sqe->buf_group = group;
    sqe->flags |= IOSQE_BUFFER_SELECT;
}

/// Whether the running kernel implements `opcode`, probed once per ring.
/// Returns 0 or 1, or a negative errno when the probe itself fails.
int curing_opcode_supported(struct io_uring *ring, int opcode);

#endif
