import Synchronization

/// One reactor's counters for one port. Only that reactor writes them, so an
/// update is a relaxed load and store, not a locked read-modify-write; any
/// thread may read them.
struct PortCounters: ~Copyable {
    /// Frames and bytes the port's netdev handed to the engine.
    let framesIn = Atomic<UInt64>(0)
    let bytesIn = Atomic<UInt64>(0)
    /// Frames and bytes the engine wrote to the port's netdev.
    let framesOut = Atomic<UInt64>(0)
    let bytesOut = Atomic<UInt64>(0)
    /// Frames meant for the port that found its queue full.
    let drops = Atomic<UInt64>(0)
    /// Reads and writes the kernel failed.
    let errors = Atomic<UInt64>(0)
    /// 1 once the port's netdev is gone (its tap deleted, its device
    /// failing for good): it is neither read nor written any more.
    let down = Atomic<UInt64>(0)

    /// Adds these counters to `totals`, which sums every reactor's for a port.
    func add(to totals: inout PortStatistics) {
        totals.framesIn += framesIn.load(ordering: .relaxed)
        totals.bytesIn += bytesIn.load(ordering: .relaxed)
        totals.framesOut += framesOut.load(ordering: .relaxed)
        totals.bytesOut += bytesOut.load(ordering: .relaxed)
        totals.drops += drops.load(ordering: .relaxed)
        totals.errors += errors.load(ordering: .relaxed)
        totals.down = totals.down || down.load(ordering: .relaxed) != 0
    }
}

extension Atomic where Value == UInt64 {
    /// Adds `amount` for the counter's only writer.
    @inline(__always)
    func bump(by amount: UInt64 = 1) {
        store(load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }
}
