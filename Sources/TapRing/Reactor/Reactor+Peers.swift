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

    private func isNIC(_ local: Int) -> Bool {
        if case .nic = ports[local].role { return true }
        return false
    }

    /// Whether the reactor waits on its peers: out of small slots, or of the
    /// large ones it has, or holding a port whose every destination is full.
    var isStarved: Bool {
        crossbar.pool.count == 0 || (crossbar.largePool.count == 0 && crossbar.largePool.capacity > 0)
            || ports.contains { $0.throttled }
    }

    /// Whether anything a peer handed over is waiting, checked after the
    /// reactor announced it sleeps, so that no hand-over slips in unseen.
    mutating func hasWaitingWork() -> Bool {
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
