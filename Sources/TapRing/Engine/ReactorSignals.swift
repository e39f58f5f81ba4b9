import Synchronization

/// How reactors and the engine get one reactor's attention.
///
/// A reactor announces `sleeping` before it blocks in `io_uring_enter`; a
/// peer that hands it work afterwards wakes it with `IORING_OP_MSG_RING`. A
/// reactor that is `starved` (out of slots, or every destination of a port
/// full) also wants a wake when a peer frees slots or lane room for it, and
/// one that `awaitsTurn` when a peer lets the next batch of a shared port be
/// written. The engine, which has no ring, rings the eventfd `doorbell` instead.
struct ReactorSignals: ~Copyable {
    let sleeping = Atomic<Bool>(false)
    let starved = Atomic<Bool>(false)
    let awaitsTurn = Atomic<Bool>(false)
    let stopRequested = Atomic<Bool>(false)
    /// Set while the engine holds reading back: frames wait in the kernel.
    let paused = Atomic<Bool>(false)
    /// The reactor's ring, for `IORING_OP_MSG_RING`; -1 until it is set up.
    let ringDescriptor = Atomic<Int32>(-1)
    let doorbell: Int32

    init(doorbell: Int32) {
        self.doorbell = doorbell
    }
}
