import CLinux

/// Which CPUs the engine's threads run on.
enum CPUAffinity {
    /// The CPUs this process may run on, in ascending order.
    ///
    /// The corresponding C function is `sched_getaffinity`.
    static func allowedCPUs() -> [Int] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let count = clinux_allowed_cpus(&cpus, Int32(cpus.count))
        return count > 0 ? cpus.prefix(Int(count)).map(Int.init) : [0]
    }

    /// Restricts the calling thread to `cpu`.
    ///
    /// The corresponding C function is `sched_setaffinity` with pid 0.
    static func pinCurrentThread(to cpu: Int) {
        _ = clinux_pin_current_thread(Int32(cpu))
    }
}
