import CURing
import Glibc
import SystemPackage

extension Reactor {
    /// Keeps every port's reads in flight, as far as free slots and the room
    /// in its destinations' lanes allow.
    mutating func armReads() {
        armStreamReceives()
        if bufferRings != nil {
            armMultishotReads()
            return
        }
        // A read issued while others wait on the port can take a frame before
        // they do, and its completion then overtakes theirs: a port's next
        // batch of reads goes out only once the last batch has completed.
        for local in ports.indices where ports[local].readsFrames && ports[local].readsInFlight == 0 {
            let limit = readLimit(local)
            let large = ports[local].readsLargeFrames
            while ports[local].readsInFlight < limit, let slot = large ? crossbar.largePool.take() : crossbar.pool.take() {
                submitRead(local, into: slot)
                ports[local].readsInFlight += 1
            }
        }
    }

    /// Tops up each port's buffer ring and re-arms multishot reads that ended.
    private mutating func armMultishotReads() {
        guard let bufferRings else { return }
        for local in ports.indices where ports[local].readsFrames {
            let limit = readLimit(local)
            while bufferRings[local].offered < limit, let slot = crossbar.pool.take() {
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

    /// How many frames `local` may have on the way from its netdev: none once
    /// it is down or while the engine is paused, else its read depth, or less
    /// when its destinations' lanes have less room. A port held back to
    /// nothing by its destinations is `throttled`.
    mutating func readLimit(_ local: Int) -> Int {
        guard !ports[local].down, !signals.pointee.paused.load(ordering: .relaxed) else { return 0 }
        let limit = min(settings.readDepth, crossbar.room(from: crossbar.ports[local]))
        ports[local].throttled = limit == 0
        return limit
    }

    /// Queues a fixed-buffer read of one frame into `slot`, leaving the slot's
    /// headroom for a vnet header when the port has none.
    private func submitRead(_ local: Int, into slot: UInt32) {
        let offset = FrameArena.headroom - ports[local].vnetHeaderSize
        let address = fabric.arena.start(of: slot) + offset
        let length = UInt32(fabric.arena.size(of: slot) - offset)
        let submission = ring.nextSubmission()
        if usesFixedBuffers {
            io_uring_prep_read_fixed(submission, ports[local].file, address, length, 0, 0)
        } else {
            io_uring_prep_read(submission, ports[local].file, address, length, 0)
        }
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
        submission.pointee.user_data = Operation(.read, port: local, slot: slot).rawValue
    }

    mutating func completeRead(_ operation: Operation, result: Int32) {
        let local = operation.port
        ports[local].readsInFlight -= 1
        if result > 0 {
            deliver(from: local, slot: operation.slot, bytes: Int(result))
        } else {
            crossbar.free(operation.slot)
            readFailed(local, result: result)
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
            if result > 0 {
                deliver(from: local, slot: slot, bytes: Int(result))
                return
            }
            crossbar.free(slot)
        }
        // -ENOBUFS only means the ring ran dry; the next round refills and re-arms.
        if result != -ENOBUFS {
            readFailed(local, result: result)
        }
    }

    /// Counts a failed read or write, and gives up on a port whose netdev is
    /// gone.
    mutating func readFailed(_ local: Int, result: Int32) {
        let error = Errno(completionResult: result)
        switch error {
        case .interrupted, .resourceTemporarilyUnavailable, .canceled:
            return
        default:
            let counters = fabric.counters(of: index, for: crossbar.ports[local])
            counters.pointee.errors.bump()
            // A deleted tap answers EBADFD; a vanished device EIO or ENODEV.
            if error.rawValue == EBADFD || error == .ioError || error == .operationNotSupportedByDevice {
                ports[local].down = true
                counters.pointee.down.store(1, ordering: .relaxed)
            }
        }
    }

    /// Counts the frame a read put in `slot` and hands it to the hub.
    @inline(__always)
    mutating func deliver(from local: Int, slot: UInt32, bytes: Int) {
        let port = crossbar.ports[local]
        let vnetHeaderSize = ports[local].vnetHeaderSize
        let counters = fabric.counters(of: index, for: port)
        guard bytes > vnetHeaderSize else {
            counters.pointee.errors.bump()
            crossbar.free(slot)
            return
        }
        let length = bytes - vnetHeaderSize
        counters.pointee.framesIn.bump()
        counters.pointee.bytesIn.bump(by: UInt64(length))
        if vnetHeaderSize == 0 {
            // A port with a vnet header may get this frame: give it an empty one.
            fabric.arena.start(of: slot).initializeMemory(as: UInt8.self, repeating: 0, count: FrameArena.headroom)
        }
        let frame = Frame(slot: slot, length: UInt32(length))
        fabric.ports[port].capture?.record(fabric.arena.bytes(of: frame), length: length, going: .tx)
        if fabric.ports[port].hasOffloads, !fabric.plainDestinations(of: port).isEmpty {
            let header = VirtioNetHeader(at: fabric.arena.bytes(of: frame) - vnetHeaderSize)
            if header.isOffloaded {
                deliverOffloaded(frame, header: header, from: port)
            } else {
                deliverOutOfLargeSlot(frame, from: port)
            }
            return
        }
        _ = crossbar.deliver(frame, from: port)
    }

    /// Hands a plain frame that a port with offloads read into a large slot
    /// to the ports that take GSO frames as it is, and to the others as a copy
    /// in a small slot: a socket or NIC that stops taking frames then holds
    /// small slots in its queue, never the few large ones every read needs.
    private mutating func deliverOutOfLargeSlot(_ frame: Frame, from port: Int) {
        let plain = fabric.plainDestinations(of: port)
        if Int(frame.length) <= fabric.arena.slotSize - FrameArena.headroom, let slot = crossbar.pool.take() {
            let start = fabric.arena.start(of: slot)
            start.copyMemory(from: fabric.arena.start(of: frame.slot), byteCount: FrameArena.headroom + Int(frame.length))
            _ = crossbar.deliver(Frame(slot: slot, length: frame.length), from: port, to: plain)
            _ = crossbar.deliver(frame, from: port, to: fabric.gsoDestinations(of: port))
        } else {
            _ = crossbar.deliver(frame, from: port)
        }
    }

    /// Hands a GSO frame, or one whose checksum is left to fill in, to the
    /// ports that take it as it is, and its segments, made once whatever the
    /// number of ports, to those that take plain frames.
    private mutating func deliverOffloaded(_ frame: Frame, header: VirtioNetHeader, from port: Int) {
        var segments = Segmenter(frame: fabric.arena.bytes(of: frame), length: Int(frame.length), header: header)
        let plain = fabric.plainDestinations(of: port)
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
            _ = crossbar.deliver(Frame(slot: slot, length: UInt32(length)), from: port, to: plain)
        }
        if segments.isMalformed {
            fabric.counters(of: index, for: port).pointee.errors.bump()
        }
        _ = crossbar.deliver(frame, from: port, to: fabric.gsoDestinations(of: port))
    }
}
