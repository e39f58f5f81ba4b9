#define _GNU_SOURCE
#include <sched.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>
#include "CLinux.h"

_Static_assert(sizeof(struct mmsghdr) == 64, "the layout FrameSource builds");

unsigned int clinux_vsock_address(void *address, unsigned int cid, unsigned int port) {
    struct sockaddr_vm vsock = {.svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port};
    memcpy(address, &vsock, sizeof vsock);
    return sizeof vsock;
}

int clinux_allowed_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[count++] = cpu;
    }
    return count;
}

int clinux_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int clinux_sendmmsg(int fd, void *messages, unsigned int count, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, flags);
}

long clinux_receive_with_descriptors(int fd, void *buffer, unsigned long length, int *descriptors, int capacity,
                                     int *count, int *truncated) {
    enum { most = 16 };
    union {
        char bytes[CMSG_SPACE(most * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec vector = { .iov_base = buffer, .iov_len = length };
    struct msghdr message = {
        .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes,
    };
    *count = 0;
    *truncated = 0;
    long received = recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    if (received < 0) return received;
    *truncated = (message.msg_flags & MSG_CTRUNC) != 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int passed[most];
        memcpy(passed, CMSG_DATA(header), (size_t)n * sizeof(int));
        for (int i = 0; i < n; i++) {
            if (*count < capacity) {
                descriptors[(*count)++] = passed[i];
            } else {
                close(passed[i]);
                *truncated = 1;
            }
        }
    }
    return received;
}

long clinux_send_with_descriptors(int fd, const void *buffer, unsigned long length, const int *descriptors,
                                  int count) {
    enum { most = 16 };
    union {
        char bytes[CMSG_SPACE(most * sizeof(int))];
        struct cmsghdr align;
    } control;
    if (count < 0 || count > most) count = most;
    struct iovec vector = { .iov_base = (void *)buffer, .iov_len = length };
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1 };
    if (count > 0) {
        message.msg_control = control.bytes;
        message.msg_controllen = CMSG_SPACE((size_t)count * sizeof(int));
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN((size_t)count * sizeof(int));
        memcpy(CMSG_DATA(header), descriptors, (size_t)count * sizeof(int));
    }
    return sendmsg(fd, &message, MSG_NOSIGNAL);
}

int clinux_spawn_close_from(void *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, lowest);
}
