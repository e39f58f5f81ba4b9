import CLinux
import CURing
import Synchronization

extension Reactor {
    /// Queues an `IORING_OP_MSG_RING` to every other reactor in `reactors`
    /// that announced it sleeps and, with `onlyIfStarved`, waits on its peers.
    mutating func wake(_ reactors: UInt64, onlyIfStarved: Bool) {
        // Signals exist only for the reactors there are.
        var remaining = reactors & fabric.allReactors & ~(1 << index)
        guard remaining != 0 else { return }
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        while remaining != 0 {
            let peer = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            let signals = fabric.signals(of: peer)
            if onlyIfStarved && !signals.pointee.starved.load(ordering: .relaxed) { continue }
            guard signals.pointee.sleeping.exchange(false, ordering: .sequentiallyConsistent) else { continue }
            let submission = ring.nextSubmission()
            io_uring_prep_msg_ring(
                submission, signals.pointee.ringDescriptor.load(ordering: .relaxed), 0,
                Operation(.wake).rawValue, 0)
            submission.pointee.flags |= CURING_IOSQE_CQE_SKIP_SUCCESS
            submission.pointee.user_data = Operation(.wake).rawValue
        }
    }

    /// Wakes every sleeping peer that waits for a shared port's turn.
    mutating func wakeAwaitingTurn() {
        // Orders the turn just given before the look at who waits for it,
        // as `sleepUntilWork` orders its announcement before its look at turns.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        var waiting: UInt64 = 0
        for peer in 0..<fabric.reactorCount where peer != index
            && fabric.signals(of: peer).pointee.awaitsTurn.load(ordering: .relaxed)
        {
            waiting |= 1 << peer
        }
        if waiting != 0 { wake(waiting, onlyIfStarved: false) }
    }

    /// Spins a little while a peer is about to hand this reactor work: the
    /// turn to write a batch that waits in an outbox, or the reads of a shared
    /// port with frames, which the peer holds for one batch. True once the
    /// work came. A reactor that still waits for a turn announces it
    /// (`awaitsTurn`), and sleeps.
    mutating func awaitPeers() -> Bool {
        let waitsForTurn = awaitsTurn
        guard waitsForTurn || peerReadsBusyPort else { return false }
        for _ in 0..<Self.spinLimit {
            for source in directSources where turnCame(for: source) {
                return true
            }
            for port in batchSources where sharedPortHasFrames(port, readByPeer: false) {
                return true
            }
            clinux_spin_hint()
        }
        if waitsForTurn {
            signals.pointee.awaitsTurn.store(true, ordering: .sequentiallyConsistent)
        }
        return false
    }

    /// Looks this many times before sleeping, some microseconds: a sleeping
    /// core takes tens of microseconds to wake on a virtual machine, far
    /// longer than a peer's batch takes to end.
    static let spinLimit = 200

    /// Whether a peer reads a shared port that has frames, and this reactor
    /// could read its next batch.
    private var peerReadsBusyPort: Bool {
        mutating get {
            for port in batchSources where sharedPortHasFrames(port, readByPeer: true) {
                return true
            }
            return false
        }
    }

    /// Whether `port` is read in turns, may have frames, and this reactor
    /// could read its next batch (its own last one written), while a peer
    /// reads it now (`readByPeer`) or nobody does.
    private mutating func sharedPortHasFrames(_ port: Int, readByPeer: Bool) -> Bool {
        guard fabric.ports[port].readsShared, crossbar.outboxCount(of: port) == 0,
            fabric.state(of: port).pointee.ready.load(ordering: .relaxed)
        else { return false }
        return (fabric.state(of: port).pointee.reader.load(ordering: .relaxed) >= 0) == readByPeer
    }

    private func isNIC(_ local: Int) -> Bool {
        if case .nic = ports[local].machinery { return true }
        return false
    }

    /// Whether the reactor waits on its peers: out of small slots, or of the
    /// large ones it has, or holding a port whose every destination is full.
    var isStarved: Bool {
        // Mutating, as the reactor's other accessors are: a borrowing one
        // would copy the whole reactor first.
        mutating get {
            crossbar.pool.count == 0 || (crossbar.largePool.count == 0 && crossbar.largePool.capacity > 0)
                || ports.contains { $0.throttled }
        }
    }

    /// Whether anything a peer handed over is waiting, checked after the
    /// reactor announced it sleeps, so that no hand-over slips in unseen.
    mutating func hasWaitingWork() -> Bool {
        for source in directSources where cursors[source].writesInFlight == 0 && turnCame(for: source) {
            return true
        }
        for port in batchSources where !signals.pointee.paused.load(ordering: .relaxed)
            && sharedPortHasFrames(port, readByPeer: false)
        {
            return true
        }
        for local in ports.indices where ports[local].writesInFlight == 0 && !isNIC(local)
            && crossbar.hasQueuedFrames(for: local)
        {
            return true
        }
        if nicHasArrivals() { return true }
        guard isStarved else { return false }
        if crossbar.hasReturnedSlots() { return true }
        for local in ports.indices where ports[local].throttled {
            let port = crossbar.ports[local]
            if crossbar.room(from: port) > 0 && crossbar.nicsCaughtUp(from: port) { return true }
        }
        return false
    }
}
