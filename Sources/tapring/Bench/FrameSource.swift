import CLinux
import Glibc
import Synchronization
import TapRing

/// Sends the tester's frames into the input port from outside the engine:
/// out of the kernel side of a tap through a packet socket, with `sendmmsg`
/// in batches of 64, or down a stream socket in QEMU's framing.
final class FrameSource: @unchecked Sendable {
    enum Endpoint {
        /// The kernel side of a tap, by interface name.
        case interface(String)
        /// One end of a stream socket whose other end is a socket netdev.
        case stream(Int32)
    }

    static let batch = 64

    /// Frames sent so far.
    let sent = Atomic<UInt64>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let descriptor: Int32
    private let framed: Bool
    private let length: Int
    /// `batch` frames, each after 4 bytes for its length when framed.
    private let frames: UnsafeMutableRawPointer
    private let vectors: UnsafeMutablePointer<iovec>
    private let messages: UnsafeMutablePointer<MultipleMessage>

    init(_ endpoint: Endpoint, length: Int, run: UInt32) throws(Failure) {
        self.length = length
        switch endpoint {
        case .interface(let name):
            descriptor = try PacketEndpoint.open(interface: name, bypassQueue: true)
            framed = false
        case .stream(let descriptor):
            self.descriptor = descriptor
            framed = true
        }
        let stride = length + (framed ? 4 : 0)
        frames = .allocate(byteCount: stride * Self.batch, alignment: 64)
        frames.initializeMemory(as: UInt8.self, repeating: 0, count: stride * Self.batch)
        vectors = .allocate(capacity: Self.batch)
        precondition(MemoryLayout<MultipleMessage>.stride == 64, "glibc's struct mmsghdr is 64 bytes")
        messages = .allocate(capacity: Self.batch)
        for index in 0..<Self.batch {
            let frame = frames + index * stride + (framed ? 4 : 0)
            if framed { (frame - 4).storeBytes(of: UInt32(length).bigEndian, as: UInt32.self) }
            TestFrame.prepare(frame, run: run)
            vectors[index] = iovec(iov_base: frame, iov_len: length)
            var message = MultipleMessage()
            message.header.msg_iov = vectors + index
            message.header.msg_iovlen = 1
            messages[index] = message
        }
    }

    deinit {
        if !framed { close(descriptor) }
        frames.deallocate()
        vectors.deallocate()
        messages.deallocate()
    }

    /// Makes a `send` under way on another thread return.
    func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    /// Sends until `count` frames are out, `deadline` (wall clock, ns) has
    /// passed or `stop()` is called, at most `rate` frames per second. Blocks.
    func send(count: UInt64?, until deadline: UInt64?, rate: Double?) {
        let start = wallClockNow()
        var total: UInt64 = 0
        // Small batches at low rates keep the frames evenly spaced.
        let batch = rate.map { max(1, min(Self.batch, Int($0 / 20_000))) } ?? Self.batch
        while !stopRequested.load(ordering: .relaxed) {
            let now = wallClockNow()
            if let deadline, now >= deadline { break }
            let size = count.map { Int(min(UInt64(batch), $0 - total)) } ?? batch
            guard size > 0 else { break }
            for index in 0..<size {
                let frame = vectors[index].iov_base!
                TestFrame.stamp(frame, sequence: total + UInt64(index), time: now)
            }
            let transmitted = transmit(size, until: deadline)
            total += UInt64(transmitted)
            sent.store(total, ordering: .relaxed)
            guard transmitted == size else { break }
            if let rate {
                let due = start + UInt64(Double(total) / rate * 1e9)
                if due > wallClockNow() { Self.sleep(until: due) }
            }
        }
    }

    /// Sends the first `size` frames of the batch and returns how many went
    /// out: fewer when the endpoint fails for good, or the tap keeps refusing
    /// them past `deadline` or a `stop()`.
    private func transmit(_ size: Int, until deadline: UInt64?) -> Int {
        if framed {
            let bytes = size * (length + 4)
            var written = 0
            while written < bytes {
                let result = write(descriptor, frames + written, bytes - written)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { return written / (length + 4) }
                written += result
            }
            return size
        }
        var done = 0
        while done < size {
            let result = clinux_sendmmsg(descriptor, messages + done, UInt32(size - done), 0)
            if result < 0 {
                guard errno == ENOBUFS || errno == EAGAIN || errno == EINTR else { return done }
                // A full queue: let the reader catch up, unless it is time to stop.
                if stopRequested.load(ordering: .relaxed) || deadline.map({ wallClockNow() >= $0 }) == true {
                    return done
                }
                sched_yield()
                continue
            }
            done += Int(result)
        }
        return size
    }

    private static func sleep(until wallClock: UInt64) {
        var due = timespec(tv_sec: Int(wallClock / 1_000_000_000), tv_nsec: Int(wallClock % 1_000_000_000))
        while clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &due, nil) == EINTR {}
    }
}
