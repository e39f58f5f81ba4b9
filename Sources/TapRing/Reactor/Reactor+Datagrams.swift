import CURing
import Glibc

extension Reactor {
    /// Sends the frames held for datagram socket `local` and those queued
    /// in its lanes, oldest first, up to a batch, with one `sendmmsg`;
    /// returns how many frames it tried.
    ///
    /// Not through the ring: io_uring would issue each datagram as an
    /// operation of its own, and keep them in order only by linking them,
    /// which runs each after the last as task work. When the socket has no
    /// room, the frames left wait for a poll that says it has.
    mutating func sendDatagramBatch(_ local: Int, _ datagram: UnsafeMutablePointer<DatagramPort>) -> Int {
        var count = datagram.pointee.heldCount
        let capture = fabric.ports[crossbar.ports[local]].capture
        var lane = 0
        while count < settings.writeBatch, let frame = nextQueuedFrame(for: local, lane: &lane) {
            capture?.record(fabric.arena.bytes(of: frame), length: Int(frame.length), going: .rx)
            datagram.pointee.held[count] = frame.packed
            count += 1
        }
        guard count > 0 else { return 0 }
        ports[local].nextProducer = (ports[local].nextProducer + 1) % fabric.reactorCount
        for position in 0..<count {
            let frame = Frame(packed: datagram.pointee.held[position])
            datagram.pointee.prepare(position, bytes: fabric.arena.bytes(of: frame), length: Int(frame.length))
        }
        let counters = fabric.counters(of: index, for: crossbar.ports[local])
        var sent = 0
        while sent < count {
            switch datagram.pointee.send(sent, count) {
            case .success(let went):
                for position in sent..<sent + went {
                    counters.pointee.framesOut.bump()
                    counters.pointee.bytesOut.bump(by: UInt64(datagram.pointee.messages[position].length))
                    crossbar.release(Frame(packed: datagram.pointee.held[position]).slot)
                }
                sent += went
            case .failure(.interrupted):
                continue
            case .failure(.resourceTemporarilyUnavailable):
                holdUnsent(local, datagram, from: sent, of: count)
                return count
            case .failure:
                // QEMU drops a frame its socket refuses for another reason.
                counters.pointee.errors.bump()
                crossbar.release(Frame(packed: datagram.pointee.held[sent]).slot)
                sent += 1
            }
        }
        datagram.pointee.heldCount = 0
        return count
    }

    /// Keeps frames `first..<count` of the batch for when socket `local` has
    /// room, and asks the kernel to say when.
    private mutating func holdUnsent(
        _ local: Int, _ datagram: UnsafeMutablePointer<DatagramPort>, from first: Int, of count: Int
    ) {
        let held = datagram.pointee.held
        if first > 0 {
            held.update(from: held + first, count: count - first)
        }
        datagram.pointee.heldCount = count - first
        let submission = ring.nextSubmission()
        io_uring_prep_poll_add(submission, ports[local].file, UInt32(POLLOUT))
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
        submission.pointee.user_data = Operation(.writable, port: local).rawValue
        ports[local].writesInFlight = 1
    }

    /// Drops the frames held for datagram socket `local`; returns how many.
    mutating func dropHeldFrames(_ local: Int) -> Int {
        guard case .datagram(let datagram) = ports[local].machinery else { return 0 }
        let count = datagram.pointee.heldCount
        for position in 0..<count {
            crossbar.release(Frame(packed: datagram.pointee.held[position]).slot)
        }
        datagram.pointee.heldCount = 0
        return count
    }
}
