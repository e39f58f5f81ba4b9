/// A tap's up or down script, run as QEMU's `launch_script` runs it: the
/// script's path and the interface name are its whole argument vector.
struct NetworkScript {
    let path: String

    /// Runs the script for `interface` and waits for it to finish.
    ///
    /// The script inherits no descriptor of the engine: every descriptor the
    /// engine opens is close-on-exec.
    func run(for interface: String) throws(TapError) {
        // QEMU's child calls _exit(1) when execv fails; report the same status.
        let status = ChildProcess.spawn(path, [path, interface])?.waitForExit() ?? 1 << 8
        if status != 0 {
            throw TapError("network script \(path) failed with status \(status)")
        }
    }
}
