import Synchronization

/// What every reactor knows of one port while the engine runs: whether its
/// netdev is gone, and, for a port the reactors read in turns, who reads it
/// now and which batch of its frames may be written next.
///
/// Reactors share a port's reads this way: one reads a batch at a time, and
/// writes that batch's frames to each destination itself, from the slots it
/// read them into, once the batch before has been written there (`Fabric`
/// keeps a turn per destination). The frames leave in the order they came,
/// and stay on the core that read them.
struct PortState: ~Copyable {
    /// The reactor reading a batch, or -1.
    let reader = Atomic<Int>(-1)
    /// Whether frames may be waiting: cleared by a reader that found none,
    /// and set again when the poll it then armed fires.
    let ready = Atomic<Bool>(true)
    /// The number the next batch read gets; changed only by its reader.
    let nextBatch = Atomic<UInt64>(0)
    /// Set once the netdev failed for good (its tap deleted): it is neither
    /// read nor written any more.
    let down = Atomic<Bool>(false)
    /// Set once a datagram socket read an empty datagram, which QEMU's
    /// socket and dgram netdevs take for the end of the connection: the port
    /// is read no more, and still written.
    let readsEnded = Atomic<Bool>(false)

    /// Takes the port's reads for `reactor`, if no other reactor has them;
    /// returns the number the batch it reads will get.
    @inline(__always)
    func takeReads(for reactor: Int) -> UInt64? {
        guard reader.load(ordering: .relaxed) == -1,
            reader.compareExchange(expected: -1, desired: reactor, ordering: .acquiring).exchanged
        else { return nil }
        return nextBatch.load(ordering: .relaxed)
    }

    /// Lets the next reactor read: the batch just read, if it holds frames,
    /// takes its number.
    @inline(__always)
    func releaseReads(numbering batch: Bool) {
        if batch { nextBatch.store(nextBatch.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }
        reader.store(-1, ordering: .releasing)
    }
}
