import CURing
import Glibc

extension Reactor {
    /// Starts a write batch on every port that has frames queued and no batch
    /// in flight; returns how many frames it took.
    ///
    /// One batch at a time per port keeps the port's frames in order: a later
    /// batch cannot overtake one that is still being written.
    mutating func sendQueuedFrames() -> Int {
        var taken = 0
        let producers = fabric.reactorCount
        for local in ports.indices where ports[local].writesInFlight == 0 {
            if case .stream(let file, let stream) = ports[local].role {
                taken += sendStreamBatch(local, file: file, stream)
                continue
            }
            guard ports[local].readsFrames else { continue }
            if ports[local].down {
                taken += dropQueuedFrames(local)
                continue
            }
            var batch = 0
            var last: UnsafeMutablePointer<io_uring_sqe>?
            let first = ports[local].nextProducer
            for step in 0..<producers {
                let producer = (first + step) % producers
                while batch < settings.writeBatch, let frame = crossbar.nextFrame(for: local, from: producer) {
                    last = submitWrite(local, frame, index: batch)
                    batch += 1
                }
            }
            guard batch > 0 else { continue }
            // The last write of a linked batch ends the chain.
            last?.pointee.flags &= ~CURING_IOSQE_IO_LINK
            ports[local].writesInFlight = batch
            ports[local].nextProducer = (first + 1) % producers
            taken += batch
        }
        return taken
    }

    /// Queues the write of `frame`, the `index`th of its batch, to `local`,
    /// with the vnet header in the slot's headroom when the port has one; a
    /// datagram socket with a destination sends it there.
    private func submitWrite(_ local: Int, _ frame: Frame, index: Int) -> UnsafeMutablePointer<io_uring_sqe> {
        let vnetHeaderSize = ports[local].vnetHeaderSize
        let address = fabric.arena.bytes(of: frame) - vnetHeaderSize
        let length = frame.length + UInt32(vnetHeaderSize)
        fabric.ports[crossbar.ports[local]].capture?.record(
            fabric.arena.bytes(of: frame), length: Int(frame.length), going: .rx)
        let submission = ring.nextSubmission()
        if case .datagram(let file, let datagram) = ports[local].role, datagram.pointee.destination != nil {
            datagram.pointee.prepareSend(submission, file: file, index: index, bytes: address, length: Int(length))
        } else if usesFixedBuffers {
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
    private mutating func dropQueuedFrames(_ local: Int) -> Int {
        let counters = fabric.counters(of: index, for: crossbar.ports[local])
        var dropped = 0
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
