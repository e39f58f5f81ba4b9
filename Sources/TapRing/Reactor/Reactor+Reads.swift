import CURing
import Glibc
import SystemPackage

extension Reactor {
    /// Keeps a receive in flight on every stream port, and a multishot read
    /// on every port when reads are multishot.
    mutating func armReads() {
        armStreamReceives()
        if bufferRings != nil {
            armMultishotReads()
        }
    }

    /// Reads a batch from every port that may have frames, that this reactor
    /// may read now and whose last batch it has written; returns how many
    /// reads it queued.
    ///
    /// The reads do not wait (`RWF_NOWAIT`): each takes a frame that is there
    /// or fails with `EAGAIN`, so all complete in the `io_uring_enter` that
    /// submits them, in order, and the batch holds the port's next frames. A
    /// batch that comes back short leaves a poll armed, which says when the
    /// port has frames again. A shared port is read by one reactor at a time.
    mutating func readBatches() -> Int {
        var queued = 0
        for port in batchSources {
            guard cursors[port].readsInFlight == 0, cursors[port].writesInFlight == 0,
                crossbar.outboxCount(of: port) == 0,
                fabric.state(of: port).pointee.ready.load(ordering: .relaxed)
            else { continue }
            let limit = min(readLimit(port: port), cursors[port].batchSize)
            guard limit > 0, crossbar.largePool.count > 0 else { continue }
            if fabric.ports[port].readsShared {
                guard let batch = fabric.state(of: port).pointee.takeReads(for: index) else { continue }
                // Another reactor may have found the port empty meanwhile.
                guard fabric.state(of: port).pointee.ready.load(ordering: .relaxed) else {
                    fabric.state(of: port).pointee.releaseReads(numbering: false)
                    continue
                }
                cursors[port].batch = batch
                cursors[port].holdsReads = true
            }
            while cursors[port].readsInFlight < limit, let slot = crossbar.largePool.take() {
                submitRead(port, into: slot)
                cursors[port].readsInFlight += 1
            }
            batchOperationsInFlight += cursors[port].readsInFlight
            queued += cursors[port].readsInFlight
        }
        return queued
    }

    /// How many frames `port` may have on the way from its netdev: none once
    /// it is down or its reads ended, or while the engine is paused; else a
    /// batch, or less when its destinations have less room: the outbox, for
    /// a port with direct destinations, which always take what it holds; the
    /// roomiest lane for the others. An owned port held back to nothing by
    /// its lanes is `throttled`.
    mutating func readLimit(port: Int) -> Int {
        guard !fabric.state(of: port).pointee.down.load(ordering: .relaxed),
            !fabric.state(of: port).pointee.readsEnded.load(ordering: .relaxed),
            !signals.pointee.paused.load(ordering: .relaxed)
        else { return 0 }
        let room = fabric.directDestinations(of: port).isEmpty
            ? crossbar.room(from: port) : crossbar.outboxRoom(of: port)
        let limit = min(settings.readDepth, room)
        if let local = crossbar.local(of: port) {
            ports[local].throttled = limit == 0
        }
        return limit
    }

    /// How many frames local port `local` may have on the way: `readLimit(port:)`.
    mutating func readLimit(_ local: Int) -> Int {
        readLimit(port: crossbar.ports[local])
    }

    /// Queues a read of one frame from `port` into the large `slot`, leaving
    /// the slot's headroom for a vnet header when the port has none. A large
    /// slot holds the longest frame a netdev carries, so none is cut.
    private mutating func submitRead(_ port: Int, into slot: UInt32) {
        let offset = FrameArena.headroom - fabric.ports[port].vnetHeaderSize
        let address = fabric.arena.start(of: slot) + offset
        let length = UInt32(fabric.arena.size(of: slot) - offset)
        let submission = ring.nextSubmission()
        if usesFixedBuffers {
            io_uring_prep_read_fixed(submission, files[port], address, length, 0, 0)
        } else {
            io_uring_prep_read(submission, files[port], address, length, 0)
        }
        submission.pointee.rw_flags = CURING_RWF_NOWAIT
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
        submission.pointee.user_data = Operation(.read, port: port, slot: slot).rawValue
    }

    mutating func completeRead(_ operation: Operation, result: Int32) {
        let port = operation.port
        cursors[port].readsInFlight -= 1
        batchOperationsInFlight -= 1
        if result > 0 {
            deliver(from: port, slot: operation.slot, bytes: Int(result))
            cursors[port].framesRead += 1
        } else {
            crossbar.free(operation.slot)
            if result == -EAGAIN {
                cursors[port].drained = true
            } else if result == 0 || result == -ENOTCONN {
                endReads(of: port, result: result)
            } else {
                readFailed(port: port, result: result)
            }
        }
        if cursors[port].readsInFlight == 0 {
            endBatch(port)
        }
    }

    /// Once a batch's reads are in: a port found empty waits for a poll, and
    /// a shared port's reads pass on; after a full batch, with more frames
    /// likely waiting, a sleeping peer is woken to read the next one while
    /// this reactor writes.
    ///
    /// The next batch grows while batches come back full, up to the read
    /// depth, and starts again from what the last one found when it was
    /// short: a read that finds the port empty costs a system call's worth
    /// of work for nothing, and frames that trickle in come a few at a time.
    private mutating func endBatch(_ port: Int) {
        let state = fabric.state(of: port)
        cursors[port].batchSize = cursors[port].drained
            ? max(SourceCursor.smallestBatch, cursors[port].framesRead.nextPowerOfTwo)
            : min(settings.readDepth, 2 * cursors[port].batchSize)
        if cursors[port].drained {
            state.pointee.ready.store(false, ordering: .relaxed)
            if !cursors[port].polling {
                armPoll(port)
            }
        }
        if cursors[port].holdsReads {
            // A batch takes a number only if it has frames to write: the next
            // batch waits for every numbered one to be written.
            state.pointee.releaseReads(numbering: crossbar.outboxCount(of: port) > 0)
            cursors[port].holdsReads = false
            if !cursors[port].drained {
                wake(fabric.allReactors, onlyIfStarved: false)
            }
        }
        cursors[port].framesRead = 0
        cursors[port].drained = false
    }

    /// Asks the kernel to say when `port` has frames again.
    private mutating func armPoll(_ port: Int) {
        let submission = ring.nextSubmission()
        io_uring_prep_poll_add(submission, files[port], UInt32(POLLIN))
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
        submission.pointee.user_data = Operation(.poll, port: port).rawValue
        cursors[port].polling = true
        batchOperationsInFlight += 1
    }

    mutating func completePoll(_ operation: Operation) {
        cursors[operation.port].polling = false
        batchOperationsInFlight -= 1
        fabric.state(of: operation.port).pointee.ready.store(true, ordering: .relaxed)
    }

    /// Tops up each port's buffer ring and re-arms multishot reads that ended.
    private mutating func armMultishotReads() {
        guard let bufferRings else { return }
        for local in ports.indices where ports[local].readsFrames
            && !fabric.state(of: crossbar.ports[local]).pointee.readsEnded.load(ordering: .relaxed)
        {
            let limit = readLimit(local)
            while bufferRings[local].offered < limit, let slot = crossbar.largePool.take() {
                bufferRings[local].add(slot)
            }
            bufferRings[local].commit()
            if !ports[local].multishotArmed && bufferRings[local].available > 0 {
                let submission = ring.nextSubmission()
                curing_prep_read_multishot(submission, ports[local].file, bufferRings[local].group)
                submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
                submission.pointee.user_data = Operation(.multishotRead, port: local).rawValue
                ports[local].multishotArmed = true
            }
        }
    }

    mutating func completeMultishotRead(_ operation: Operation, result: Int32, flags: UInt32) {
        guard let bufferRings else { return }
        let local = operation.port
        if flags & IORING_CQE_F_MORE == 0 {
            ports[local].multishotArmed = false
        }
        if flags & IORING_CQE_F_BUFFER != 0 {
            let slot = bufferRings[local].take(completionFlags: flags)
            // What the armed read took after an empty datagram QEMU leaves unread.
            if result > 0 && !fabric.state(of: crossbar.ports[local]).pointee.readsEnded.load(ordering: .relaxed) {
                deliver(from: crossbar.ports[local], slot: slot, bytes: Int(result))
                return
            }
            crossbar.free(slot)
        }
        if result == 0 || result == -ENOTCONN {
            endReads(of: crossbar.ports[local], result: result)
        } else if result != -ENOBUFS && result < 0 {
            // -ENOBUFS only means the ring ran dry; the next round refills and re-arms.
            readFailed(port: crossbar.ports[local], result: result)
        }
    }

    /// An empty datagram (`result` 0): QEMU's `-netdev socket` (udp, mcast)
    /// and `-netdev dgram` take it for the end of the connection and stop
    /// reading the socket, for good; they still send. Counted as an error.
    ///
    /// Or a socket that is not connected (`-ENOTCONN`: a listening or
    /// never-connected stream socket given to `-netdev dgram`), which no
    /// read will ever take a frame from: QEMU polls it on and fails each
    /// time, spinning; the engine counts one error and reads no more.
    private mutating func endReads(of port: Int, result: Int32) {
        // The other reads of the batch fail alike.
        guard !fabric.state(of: port).pointee.readsEnded.load(ordering: .relaxed) else { return }
        fabric.state(of: port).pointee.readsEnded.store(true, ordering: .relaxed)
        fabric.counters(of: index, for: port).pointee.errors.bump()
        let reason = result == 0 ? "an empty datagram, as in QEMU" : "not connected"
        Trace.point(.reactor, "port \(port) reads no more: \(reason)")
    }

    /// Counts a failed read or write on `port`, and gives up on a port whose
    /// netdev is gone.
    mutating func readFailed(port: Int, result: Int32) {
        let error = Errno(completionResult: result)
        switch error {
        case .interrupted, .resourceTemporarilyUnavailable, .canceled:
            return
        default:
            let counters = fabric.counters(of: index, for: port)
            counters.pointee.errors.bump()
            // A deleted tap answers EBADFD; a vanished device EIO or ENODEV.
            if error.rawValue == EBADFD || error == .ioError || error == .operationNotSupportedByDevice {
                fabric.state(of: port).pointee.down.store(true, ordering: .relaxed)
                counters.pointee.down.store(1, ordering: .relaxed)
            }
        }
    }

    /// `readFailed(port:result:)` for local port `local`.
    mutating func readFailed(_ local: Int, result: Int32) {
        readFailed(port: crossbar.ports[local], result: result)
    }

    /// Counts the frame a read put in `slot` and hands it to the hub.
    @inline(__always)
    mutating func deliver(from port: Int, slot: UInt32, bytes: Int) {
        let vnetHeaderSize = fabric.ports[port].vnetHeaderSize
        let counters = fabric.counters(of: index, for: port)
        guard bytes > vnetHeaderSize else {
            counters.pointee.errors.bump()
            crossbar.free(slot)
            return
        }
        var length = bytes - vnetHeaderSize
        counters.pointee.framesIn.bump()
        counters.pointee.bytesIn.bump(by: UInt64(length))
        if vnetHeaderSize == 0 && fabric.ports[port].reachesVnetHeaders {
            // A port with a vnet header gets this frame: give it an empty one.
            fabric.arena.start(of: slot).initializeMemory(as: UInt8.self, repeating: 0, count: FrameArena.headroom)
        }
        if length < Frame.shortest && fabric.ports[port].padsShortFrames {
            // QEMU's `tap_send` pads a short frame to the Ethernet minimum
            // (`eth_pad_short_frame`) before its peer sees it.
            (fabric.arena.start(of: slot) + FrameArena.headroom + length)
                .initializeMemory(as: UInt8.self, repeating: 0, count: Frame.shortest - length)
            length = Frame.shortest
        }
        let frame = Frame(slot: slot, length: UInt32(length))
        fabric.ports[port].capture?.record(fabric.arena.bytes(of: frame), length: length, going: .tx)
        if fabric.ports[port].hasOffloads, !fabric.plainLaneDestinations(of: port).isEmpty {
            let header = VirtioNetHeader(at: fabric.arena.bytes(of: frame) - vnetHeaderSize)
            if header.isOffloaded {
                deliverOffloaded(frame, header: header, from: port)
                return
            }
        }
        _ = crossbar.deliver(frame, from: port)
    }

    /// Hands a GSO frame, or one whose checksum is left to fill in, to the
    /// ports that take it as it is, and its segments, made once whatever the
    /// number of ports, to those that take plain frames.
    private mutating func deliverOffloaded(_ frame: Frame, header: VirtioNetHeader, from port: Int) {
        var segments = Segmenter(frame: fabric.arena.bytes(of: frame), length: Int(frame.length), header: header)
        let plain = fabric.plainLaneDestinations(of: port)
        while let upcoming = segments.upcomingLength {
            let small = upcoming <= fabric.arena.slotSize - FrameArena.headroom
            guard let slot = small ? crossbar.pool.take() : crossbar.largePool.take() else {
                // Out of slots: what is left of the frame is lost to these ports.
                for destination in plain { fabric.counters(of: index, for: Int(destination)).pointee.drops.bump() }
                break
            }
            let start = fabric.arena.start(of: slot)
            let length = segments.next(into: start + FrameArena.headroom,
                                       capacity: fabric.arena.size(of: slot) - FrameArena.headroom)!
            start.initializeMemory(as: UInt8.self, repeating: 0, count: FrameArena.headroom)
            _ = crossbar.deliver(Frame(slot: slot, length: UInt32(length)), from: port, toLanes: plain)
        }
        if segments.isMalformed {
            fabric.counters(of: index, for: port).pointee.errors.bump()
        }
        _ = crossbar.deliverWhole(frame, from: port)
    }
}
