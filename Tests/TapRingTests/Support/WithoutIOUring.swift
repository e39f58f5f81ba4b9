import Foundation
import Glibc
import Testing

/// Runs a program the way a container whose seccomp profile blocks io_uring
/// runs it: a small C launcher, built once per test process, installs a
/// filter that fails `io_uring_setup`, `io_uring_enter` and
/// `io_uring_register` with EPERM, then executes the program.
enum WithoutIOUring {
    static let launcher: String? = {
        let source = NSTemporaryDirectory() + "tapring-no-io-uring-\(getpid()).c"
        let binary = NSTemporaryDirectory() + "tapring-no-io-uring-\(getpid())"
        let program = #"""
        #include <errno.h>
        #include <linux/filter.h>
        #include <linux/seccomp.h>
        #include <stddef.h>
        #include <stdio.h>
        #include <sys/prctl.h>
        #include <sys/syscall.h>
        #include <unistd.h>
        #define REFUSE(n) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, n, 0, 1), \
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
        int main(int argc, char **argv) {
            struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                REFUSE(__NR_io_uring_setup), REFUSE(__NR_io_uring_enter), REFUSE(__NR_io_uring_register),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            };
            struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
            if (argc < 2 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
                || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program)) {
                perror("no-io-uring");
                return 127;
            }
            execv(argv[1], argv + 1);
            perror("execv");
            return 127;
        }
        """#
        guard (try? program.write(toFile: source, atomically: false, encoding: .utf8)) != nil else { return nil }
        defer { unlink(source) }
        guard (try? Kernel.run("/usr/bin/cc", ["-O2", "-o", binary, source])) != nil else { return nil }
        ScratchFiles.removeAtExit(binary)
        return binary
    }()

    static let reason: Comment = "needs a C compiler to build the seccomp launcher"
}
