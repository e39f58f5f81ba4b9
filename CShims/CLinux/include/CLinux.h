// CLinux: Linux interfaces Swift cannot import as they are: the tun/tap ioctl
// requests (built with the function-like _IOW/_IOR macros), an ioctl that
// takes its argument by value (Swift cannot pass C varargs), eventfd, CPU
// affinity and batched socket calls (declared only under _GNU_SOURCE, which
// this header must not set), packet sockets and vsock addresses, which
// glibc's module map leaves out, and descriptors passed over a socket (the
// CMSG_* macros).
#ifndef CLINUX_H
#define CLINUX_H

#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

static const unsigned long CLINUX_TUNSETIFF = TUNSETIFF;
static const unsigned long CLINUX_TUNGETIFF = TUNGETIFF;
static const unsigned long CLINUX_TUNGETFEATURES = TUNGETFEATURES;
static const unsigned long CLINUX_TUNSETSNDBUF = TUNSETSNDBUF;
static const unsigned long CLINUX_TUNSETVNETHDRSZ = TUNSETVNETHDRSZ;

/// Sets the offloads (TUN_F_*) the kernel may hand this tap.
/// The corresponding C call is `ioctl(fd, TUNSETOFFLOAD, offloads)`.
static inline int clinux_tun_set_offload(int fd, unsigned long offloads) {
    return ioctl(fd, TUNSETOFFLOAD, offloads);
}

/// Writes the CPUs the calling process may run on into `cpus` (at most
/// `capacity` of them, ascending) and returns how many; -1 on failure.
/// The corresponding C function is `sched_getaffinity`.
int clinux_allowed_cpus(int *cpus, int capacity);

/// Restricts the calling thread to `cpu`; 0 on success, -1 on failure.
/// The corresponding C function is `sched_setaffinity`.
int clinux_pin_current_thread(int cpu);

/// Sends up to `count` messages, an array laid out as glibc's `struct
/// mmsghdr` (a `struct msghdr`, then the length sent, 64 bytes in all);
/// returns how many went, or -1. The type is left out here: <sys/socket.h>
/// must come from glibc's own module, or Swift files that import only Glibc
/// would lose its constants. The corresponding C function is `sendmmsg`.
int clinux_sendmmsg(int fd, void *messages, unsigned int count, int flags);

/// Writes the vsock address of context `cid` and `port` (a `struct
/// sockaddr_vm`) to `address`, which has room for a `sockaddr_storage`, and
/// returns its length. The type is left out here, as `clinux_sendmmsg`'s is:
/// <linux/vm_sockets.h> brings <sys/socket.h> with it.
unsigned int clinux_vsock_address(void *address, unsigned int cid, unsigned int port);

/// Receives up to `length` bytes from the stream socket `fd` into `buffer`,
/// with the descriptors that came with them (SCM_RIGHTS, close-on-exec):
/// up to `capacity` go to `descriptors` and their number to `*count`.
/// `*truncated` is set when more came than fit (the kernel closed the rest).
/// Returns the bytes received, 0 at end of stream, or -1.
/// The corresponding C function is `recvmsg`.
long clinux_receive_with_descriptors(int fd, void *buffer, unsigned long length, int *descriptors, int capacity,
                                     int *count, int *truncated);

/// Sends `length` bytes from `buffer` on the stream socket `fd` with `count`
/// descriptors as SCM_RIGHTS (none when `count` is 0); returns the bytes
/// sent, or -1. The corresponding C function is `sendmsg`.
long clinux_send_with_descriptors(int fd, const void *buffer, unsigned long length, const int *descriptors,
                                  int count);

/// Adds to `actions`, a `posix_spawn_file_actions_t`, the closing of every
/// descriptor from `lowest` up, so that the child does not inherit them. The
/// type is left out, as `clinux_sendmmsg`'s is: only glibc's GNU extensions
/// declare the function. The corresponding C function is
/// `posix_spawn_file_actions_addclosefrom_np`.
int clinux_spawn_close_from(void *actions, int lowest);

/// Tells the CPU the caller spins, waiting on another core: it then yields
/// the core's shared resources and leaves the loop without a misprediction.
/// The corresponding instruction is x86's `pause`.
static inline void clinux_spin_hint(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
