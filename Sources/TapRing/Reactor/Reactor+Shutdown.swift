import CURing
import Glibc

extension Reactor {
    /// Cancels what is still in flight, waits for it, counts every frame it
    /// read and could not write as dropped, and lets go of the ports'
    /// descriptors: the kernel tears a ring down in the background, and its
    /// registered files would keep taps alive after the engine is gone.
    ///
    /// Nothing here submits new work: a read that completes now counts its
    /// frame as in and dropped at every destination, a write as out or as
    /// an error. Frames still in this reactor's outboxes and in the lanes to
    /// its ports are dropped; `Engine.stop()` counts what peers put in those
    /// lanes after this.
    mutating func finish() {
        var pending = 1 + batchOperationsInFlight + ports.reduce(0) { $0 + $1.operationsInFlight }
        let submission = ring.nextSubmission()
        io_uring_prep_cancel64(submission, 0, Int32(IORING_ASYNC_CANCEL_ANY))
        submission.pointee.user_data = Operation(.wake).rawValue
        while pending > 0 {
            let result = ring.submitAndWait()
            guard result >= 0 || result == -EINTR else { break }
            let count = ring.readyCompletions(into: completions)
            for entry in completions.prefix(count) {
                let completion = entry.unsafelyUnwrapped.pointee
                let operation = Operation(rawValue: completion.user_data)
                switch operation.kind {
                case .read:
                    pending -= 1
                    strand(readFrom: operation.port, bytes: completion.res)
                case .multishotRead:
                    if completion.flags & IORING_CQE_F_MORE == 0 { pending -= 1 }
                    if completion.flags & IORING_CQE_F_BUFFER != 0 {
                        strand(readFrom: crossbar.ports[operation.port], bytes: completion.res)
                    }
                case .directWrite:
                    pending -= 1
                    let counters = fabric.counters(of: index, for: operation.destination)
                    if completion.res > 0 { counters.pointee.framesOut.bump() } else { counters.pointee.errors.bump() }
                case .write:
                    pending -= 1
                    completeWrite(operation, result: completion.res)
                case .send:
                    pending -= 1
                    completeSend(operation, result: completion.res)
                case .poll, .writable, .receive, .accept, .close, .connect, .timer, .doorbell:
                    pending -= 1
                case .wake, .none:
                    break
                }
            }
            ring.markSeen(count)
        }
        dropStrandedFrames()
        ring.unregisterFiles()
    }

    /// A frame a read took from `port` as the engine stopped: in, and
    /// dropped at each port it would have gone to.
    private mutating func strand(readFrom port: Int, bytes: Int32) {
        guard Int(bytes) > fabric.ports[port].vnetHeaderSize else { return }
        let counters = fabric.counters(of: index, for: port)
        counters.pointee.framesIn.bump()
        counters.pointee.bytesIn.bump(by: UInt64(Int(bytes) - fabric.ports[port].vnetHeaderSize))
        for destination in fabric.destinations(of: port) {
            fabric.counters(of: index, for: Int(destination)).pointee.drops.bump()
        }
    }

    /// Counts the frames of outboxes not written to every destination, and
    /// those waiting in lanes to this reactor's ports, as dropped there.
    private mutating func dropStrandedFrames() {
        for source in directSources where crossbar.outboxCount(of: source) > 0 {
            let frames = UInt64(crossbar.outboxCount(of: source))
            for destination in fabric.directDestinations(of: source).dropFirst(cursors[source].nextDestination) {
                fabric.counters(of: index, for: Int(destination)).pointee.drops.bump(by: frames)
            }
        }
        for local in ports.indices {
            if case .nic = ports[local].machinery { continue }
            _ = dropQueuedFrames(local)
        }
        _ = crossbar.releaseConsumedRoom()
    }
}
