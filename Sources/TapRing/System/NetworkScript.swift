import Glibc

/// A tap's up or down script, run as QEMU's `launch_script` runs it: the
/// script's path and the interface name are its whole argument vector.
struct NetworkScript {
    let path: String

    /// Runs the script for `interface` and waits for it to finish.
    ///
    /// The script inherits no descriptor of the engine: every descriptor the
    /// engine opens is close-on-exec.
    func run(for interface: String) throws(TapError) {
        var child: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup(interface), nil]
        defer { arguments.forEach { free($0) } }
        let spawned = posix_spawn(&child, path, nil, nil, arguments, environ)
        var status: CInt = 0
        if spawned == 0 {
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        } else {
            // QEMU's child calls _exit(1) when execv fails; report the same status.
            status = 1 << 8
        }
        if status != 0 {
            throw TapError("network script \(path) failed with status \(status)")
        }
    }
}
