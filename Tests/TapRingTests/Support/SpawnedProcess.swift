import Foundation
import Glibc

/// A program started with some of this process's descriptors handed over
/// at numbers of its choosing, as QEMU's multi-process orchestration hands
/// a socket over (`fd=3`): Foundation's `Process` closes them all.
/// Standard output and error go to `log`. Killed when dropped, if still running.
final class SpawnedProcess {
    let pid: pid_t
    let log: String
    private(set) var status: Int32?

    /// The corresponding C function is `posix_spawnp`.
    init(_ arguments: [String], passing descriptors: [Int32: Int32] = [:], log: String) throws {
        self.log = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // dup2 onto another number clears close-on-exec, onto the same
        // number it does nothing: each goes through a copy numbered apart.
        let staged = descriptors.map { source, target in (fcntl(source, F_DUPFD_CLOEXEC, 100), target) }
        defer { staged.forEach { close($0.0) } }
        for (copy, target) in staged {
            posix_spawn_file_actions_adddup2(&actions, copy, target)
        }
        // The test runner's blocked and ignored signals are not the child's:
        // SIGINT and SIGTERM must end it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard result == 0 else {
            throw KernelError("could not start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = wait(seconds: 5)
        }
    }

    /// Waits up to `seconds` for the exit; its status, or nil if still running.
    func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while status == nil {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = raw
            } else if Date() >= deadline {
                return nil
            } else {
                usleep(20_000)
            }
        }
        return status
    }

    /// Sends `signal` and waits for the exit.
    func stop(_ signal: Int32 = SIGTERM) {
        guard status == nil else { return }
        kill(pid, signal)
        if wait(seconds: 10) == nil {
            kill(pid, SIGKILL)
            _ = wait(seconds: 5)
        }
    }

    var output: String {
        contentsOfFile(log)
    }
}

/// The text of the file at `path`, read to its end with `read(2)`; "" if
/// it cannot be opened. For logs still being written and for /proc files,
/// whose size says nothing (Foundation's reader leaks a buffer on those
/// under LeakSanitizer).
func contentsOfFile(_ path: String) -> String {
    let file = open(path, O_RDONLY | O_CLOEXEC)
    guard file >= 0 else { return "" }
    defer { close(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(file, &chunk, chunk.count)
        guard count > 0 else { break }
        bytes += chunk[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}
