import CURing
import Glibc

extension Reactor {
    /// Writes the frames in each source's outbox to the source's direct
    /// destinations; returns how many frames it took.
    ///
    /// A frame goes out from the slot it was read into, on the core that read
    /// it. Writes to a tap without `sndbuf=` never wait, so they complete in
    /// the `io_uring_enter` that submits them, in order. A shared port's
    /// batch goes to one destination per round, each once the batch before
    /// has been written there: while this reactor writes to the next, a peer
    /// may write its own, later batch to the one before.
    mutating func writeOutboxes() -> Int {
        var taken = 0
        for source in directSources where cursors[source].writesInFlight == 0 && turnCame(for: source) {
            let frames = crossbar.outbox(of: source)
            let destinations = fabric.directDestinations(of: source)
            let first = cursors[source].nextDestination
            let end = fabric.ports[source].readsShared ? first + 1 : destinations.count
            for destination in destinations[first..<end] {
                let target = Int(destination)
                let down = fabric.state(of: target).pointee.down.load(ordering: .relaxed)
                for entry in frames {
                    let frame = Frame(packed: entry)
                    if down {
                        fabric.counters(of: index, for: target).pointee.drops.bump()
                        Trace.point(.hub, "port \(target) dropped a frame: its netdev is down")
                        crossbar.release(frame.slot)
                    } else {
                        submitDirectWrite(frame, from: source, to: target)
                        cursors[source].writesInFlight += 1
                    }
                }
            }
            taken += frames.count * (end - first)
            batchOperationsInFlight += cursors[source].writesInFlight
            cursors[source].nextDestination = end
            if cursors[source].writesInFlight == 0 {
                endWrites(source)
            }
        }
        return taken
    }

    /// Whether the frames in `source`'s outbox may be written to its next
    /// destination now: always for a port read by one reactor; for a shared
    /// port, once its batch before has been written there.
    @inline(__always)
    func turnCame(for source: Int) -> Bool {
        guard crossbar.outboxCount(of: source) > 0 else { return false }
        guard fabric.ports[source].readsShared else { return true }
        return fabric.writeTurn(of: source, toward: cursors[source].nextDestination).pointee
            .load(ordering: .acquiring) == cursors[source].batch
    }

    /// Whether a shared port's batch waits in an outbox for its turn at the
    /// next destination, which another reactor writes its batch before to.
    var awaitsTurn: Bool {
        mutating get {
            for source in directSources where fabric.ports[source].readsShared && cursors[source].writesInFlight == 0
                && crossbar.outboxCount(of: source) > 0
            {
                return true
            }
            return false
        }
    }

    /// Queues the write of `frame`, from `source`, to `destination`, with the
    /// vnet header in the slot's headroom when the destination has one.
    @inline(__always)
    private mutating func submitDirectWrite(_ frame: Frame, from source: Int, to destination: Int) {
        let vnetHeaderSize = fabric.ports[destination].vnetHeaderSize
        let address = fabric.arena.bytes(of: frame) - vnetHeaderSize
        let length = frame.length + UInt32(vnetHeaderSize)
        let submission = ring.nextSubmission()
        if usesFixedBuffers {
            io_uring_prep_write_fixed(submission, files[destination], address, length, 0, 0)
        } else {
            io_uring_prep_write(submission, files[destination], address, length, 0)
        }
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
        submission.pointee.user_data = Operation(directWrite: source, to: destination, slot: frame.slot).rawValue
    }

    mutating func completeDirectWrite(_ operation: Operation, result: Int32) {
        let source = operation.source
        let destination = operation.destination
        let counters = fabric.counters(of: index, for: destination)
        if result > 0 {
            counters.pointee.framesOut.bump()
            counters.pointee.bytesOut.bump(by: UInt64(Int(result) - fabric.ports[destination].vnetHeaderSize))
        } else if -result == EBADFD {
            readFailed(port: destination, result: result)
        } else {
            counters.pointee.errors.bump()
        }
        crossbar.release(operation.slot)
        batchOperationsInFlight -= 1
        cursors[source].writesInFlight -= 1
        if cursors[source].writesInFlight == 0 {
            endWrites(source)
        }
    }

    /// The writes `writeOutboxes` last started for `source` are done: for a
    /// shared port, the next batch may go where this one went, and a peer
    /// that waits for it is woken; once the batch went everywhere, the
    /// outbox is empty again.
    private mutating func endWrites(_ source: Int) {
        let destinations = fabric.directDestinations(of: source).count
        if fabric.ports[source].readsShared {
            fabric.writeTurn(of: source, toward: cursors[source].nextDestination - 1).pointee
                .store(cursors[source].batch &+ 1, ordering: .releasing)
            wakeAwaitingTurn()
        }
        if cursors[source].nextDestination == destinations {
            cursors[source].nextDestination = 0
            crossbar.emptyOutbox(of: source)
        }
    }

    /// Starts a write batch on every port that has frames queued and no batch
    /// in flight; returns how many frames it took.
    ///
    /// One batch at a time per port keeps the port's frames in order: a later
    /// batch cannot overtake one that is still being written.
    mutating func sendQueuedFrames() -> Int {
        var taken = 0
        for local in ports.indices where ports[local].writesInFlight == 0 {
            if case .stream(let stream) = ports[local].machinery {
                taken += sendStreamBatch(local, file: ports[local].file, stream)
                continue
            }
            guard ports[local].readsFrames else { continue }
            if fabric.state(of: crossbar.ports[local]).pointee.down.load(ordering: .relaxed) {
                taken += dropQueuedFrames(local)
                continue
            }
            if case .datagram(let datagram) = ports[local].machinery {
                taken += sendDatagramBatch(local, datagram)
                continue
            }
            var batch = 0
            var lane = 0
            var last: UnsafeMutablePointer<io_uring_sqe>?
            while batch < settings.writeBatch, let frame = nextQueuedFrame(for: local, lane: &lane) {
                last = submitWrite(local, frame)
                batch += 1
            }
            guard batch > 0 else { continue }
            // The last write of a linked batch ends the chain.
            last?.pointee.flags &= ~CURING_IOSQE_IO_LINK
            ports[local].writesInFlight = batch
            ports[local].nextProducer = (ports[local].nextProducer + 1) % fabric.reactorCount
            taken += batch
        }
        return taken
    }

    /// The next frame queued for local port `local`. The producers' lanes
    /// are taken in turn, each until it is empty, from the one the port's
    /// next batch starts with (the batches start with each in turn);
    /// `lane` counts the lanes emptied, from 0.
    @inline(__always)
    mutating func nextQueuedFrame(for local: Int, lane: inout Int) -> Frame? {
        let producers = fabric.reactorCount
        while lane < producers {
            if let frame = crossbar.nextFrame(for: local, from: (ports[local].nextProducer + lane) % producers) {
                return frame
            }
            lane += 1
        }
        return nil
    }

    /// Queues the write of `frame` to tap `local`, with the vnet header in
    /// the slot's headroom when the port has one.
    private mutating func submitWrite(_ local: Int, _ frame: Frame) -> UnsafeMutablePointer<io_uring_sqe> {
        let vnetHeaderSize = ports[local].vnetHeaderSize
        let address = fabric.arena.bytes(of: frame) - vnetHeaderSize
        let length = frame.length + UInt32(vnetHeaderSize)
        fabric.ports[crossbar.ports[local]].capture?.record(
            fabric.arena.bytes(of: frame), length: Int(frame.length), going: .rx)
        let submission = ring.nextSubmission()
        if usesFixedBuffers {
            io_uring_prep_write_fixed(submission, ports[local].file, address, length, 0, 0)
        } else {
            io_uring_prep_write(submission, ports[local].file, address, length, 0)
        }
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE | (ports[local].ordersWrites ? CURING_IOSQE_IO_LINK : 0)
        submission.pointee.user_data = Operation(.write, port: local, slot: frame.slot).rawValue
        return submission
    }

    mutating func completeWrite(_ operation: Operation, result: Int32) {
        let local = operation.port
        ports[local].writesInFlight -= 1
        let counters = fabric.counters(of: index, for: crossbar.ports[local])
        if result > 0 {
            counters.pointee.framesOut.bump()
            counters.pointee.bytesOut.bump(by: UInt64(Int(result) - ports[local].vnetHeaderSize))
        } else if -result == EBADFD {
            // The tap was deleted. A tap that is only down answers EIO, and
            // comes back up.
            readFailed(local, result: result)
        } else {
            counters.pointee.errors.bump()
        }
        crossbar.release(operation.slot)
    }

    /// Takes the frames queued for a port whose netdev is gone off its lanes
    /// and counts them as drops, so that they neither fill the lanes nor
    /// hold slots; returns how many.
    mutating func dropQueuedFrames(_ local: Int) -> Int {
        let counters = fabric.counters(of: index, for: crossbar.ports[local])
        var dropped = dropHeldFrames(local)
        for producer in 0..<fabric.reactorCount {
            while let frame = crossbar.nextFrame(for: local, from: producer) {
                crossbar.release(frame.slot)
                dropped += 1
            }
        }
        counters.pointee.drops.bump(by: UInt64(dropped))
        return dropped
    }
}
