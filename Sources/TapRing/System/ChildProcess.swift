import Glibc

/// A program the engine starts and waits for, as QEMU forks and execs its
/// network scripts and its bridge helper.
struct ChildProcess {
    let id: pid_t

    /// Starts `path` with the argument vector `arguments` and the file
    /// `actions`, if any; nil when it could not be started.
    ///
    /// The corresponding C function is `posix_spawn`.
    static func spawn(
        _ path: String, _ arguments: [String], actions: UnsafePointer<posix_spawn_file_actions_t>? = nil
    ) -> ChildProcess? {
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, path, actions, nil, argv, environ) == 0 else { return nil }
        return ChildProcess(id: child)
    }

    /// Waits for the program to end and returns its wait status.
    ///
    /// The corresponding C function is `waitpid`.
    func waitForExit() -> CInt {
        var status: CInt = 0
        while waitpid(id, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}
