import CLinux
import Glibc
import Synchronization

/// Receives the tester's frames where they leave the engine, on a thread of
/// its own, into a `SinkAnalysis`: from the kernel side of a tap through a
/// packet socket's `TPACKET_V3` receive ring, or from a stream socket in
/// QEMU's framing.
final class FrameSink: @unchecked Sendable {
    let analysis: SinkAnalysis
    private let stopRequested = Atomic<Bool>(false)
    private var thread: pthread_t?
    private let receiver: Receiver

    private enum Receiver {
        case ring(PacketRing)
        case stream(Int32)
    }

    init(_ endpoint: FrameSource.Endpoint, analysis: SinkAnalysis) throws(Failure) {
        self.analysis = analysis
        switch endpoint {
        case .interface(let name): receiver = .ring(try PacketRing(interface: name))
        case .stream(let descriptor): receiver = .stream(descriptor)
        }
    }

    /// Starts the receiving thread.
    func start() throws(Failure) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let sink = Unmanaged<FrameSink>.fromOpaque(context!).takeRetainedValue()
            sink.receive()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<FrameSink>.fromOpaque(context).release()
            throw Failure("tapring bench: pthread_create", errno: result)
        }
        self.thread = thread
    }

    /// Stops the receiving thread and waits for it.
    func stop() {
        stopRequested.store(true, ordering: .relaxed)
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    /// Frames the kernel had for the sink but dropped, its ring being full:
    /// counted since the last call.
    func droppedFrames() -> UInt64 {
        guard case .ring(let ring) = receiver else { return 0 }
        return ring.droppedFrames()
    }

    private func receive() {
        switch receiver {
        case .ring(let ring):
            while !stopRequested.load(ordering: .relaxed) {
                ring.nextBlock(waitingMilliseconds: 50) { frame, arrival in analysis.record(frame, now: arrival) }
            }
        case .stream(let descriptor):
            receiveStream(descriptor)
        }
    }

    /// Reads QEMU's framing off the stream and records each frame.
    private func receiveStream(_ descriptor: Int32) {
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var start = 0, end = 0
        var waiter = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while !stopRequested.load(ordering: .relaxed) {
            guard poll(&waiter, 1, 50) > 0 else { continue }
            let count = read(descriptor, buffer + end, capacity - end)
            guard count > 0 else { return }
            end += count
            let now = wallClockNow()
            while end - start >= 4 {
                let length = Int(UInt32(bigEndian: (buffer + start).loadUnaligned(as: UInt32.self)))
                guard end - start >= 4 + length else { break }
                analysis.record(UnsafeRawBufferPointer(start: buffer + start + 4, count: length), now: now)
                start += 4 + length
            }
            buffer.copyMemory(from: buffer + start, byteCount: end - start)
            end -= start
            start = 0
        }
    }
}

/// A packet socket's `TPACKET_V3` receive ring: blocks of frames the kernel
/// fills and hands over whole, so that a thousand frames cost one wakeup.
final class PacketRing: @unchecked Sendable {
    private static let blockSize = 1 << 22
    private static let blockCount = 16
    private let descriptor: Int32
    private let ring: UnsafeMutableRawPointer
    private var block = 0

    init(interface: String) throws(Failure) {
        descriptor = try PacketEndpoint.open(interface: interface, protocol: TestFrame.etherType)
        var version = Int32(TPACKET_V3.rawValue)
        var ignoreOutgoing: Int32 = 1
        var request = tpacket_req3()
        request.tp_block_size = UInt32(Self.blockSize)
        request.tp_block_nr = UInt32(Self.blockCount)
        request.tp_frame_size = 2048
        request.tp_frame_nr = UInt32(Self.blockSize / 2048 * Self.blockCount)
        // ms: hand a part-filled block over soon, but not so soon that a sink
        // thread held off its core for a few milliseconds on a busy machine
        // finds all sixteen blocks handed over and the kernel dropping.
        request.tp_retire_blk_tov = 8
        guard setsockopt(descriptor, SOL_PACKET, PACKET_VERSION, &version, 4) == 0,
            setsockopt(descriptor, SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignoreOutgoing, 4) == 0,
            setsockopt(descriptor, SOL_PACKET, PACKET_RX_RING, &request,
                socklen_t(MemoryLayout<tpacket_req3>.size)) == 0
        else {
            let error = errno
            close(descriptor)
            throw Failure("tapring bench: packet ring on \(interface)", errno: error)
        }
        guard let mapped = mmap(nil, Self.blockSize * Self.blockCount, PROT_READ | PROT_WRITE, MAP_SHARED,
                                descriptor, 0),
            mapped != MAP_FAILED
        else {
            let error = errno
            close(descriptor)
            throw Failure("tapring bench: mmap of the packet ring on \(interface)", errno: error)
        }
        ring = mapped
    }

    deinit {
        munmap(ring, Self.blockSize * Self.blockCount)
        close(descriptor)
    }

    /// Frames dropped for want of room in the ring since the last call.
    ///
    /// The corresponding C call is `getsockopt(PACKET_STATISTICS)`, which
    /// also resets the count.
    func droppedFrames() -> UInt64 {
        var statistics = tpacket_stats_v3()
        var length = socklen_t(MemoryLayout<tpacket_stats_v3>.size)
        guard getsockopt(descriptor, SOL_PACKET, PACKET_STATISTICS, &statistics, &length) == 0 else { return 0 }
        return UInt64(statistics.tp_drops)
    }

    /// Waits up to `waitingMilliseconds` for the next block, hands each of
    /// its frames with the kernel's arrival time (wall clock, ns) to `body`,
    /// and gives the block back.
    func nextBlock(waitingMilliseconds: Int32, _ body: (UnsafeRawBufferPointer, UInt64) -> Void) {
        let header = (ring + block * Self.blockSize).assumingMemoryBound(to: tpacket_block_desc.self)
        if header.pointee.hdr.bh1.block_status & UInt32(TP_STATUS_USER) == 0 {
            var waiter = pollfd(fd: descriptor, events: Int16(POLLIN | POLLERR), revents: 0)
            _ = poll(&waiter, 1, waitingMilliseconds)
            guard header.pointee.hdr.bh1.block_status & UInt32(TP_STATUS_USER) != 0 else { return }
        }
        let base = UnsafeMutableRawPointer(header)
        var packet = base + Int(header.pointee.hdr.bh1.offset_to_first_pkt)
        for _ in 0..<header.pointee.hdr.bh1.num_pkts {
            let frame = packet.assumingMemoryBound(to: tpacket3_hdr.self)
            let arrival = UInt64(frame.pointee.tp_sec) * 1_000_000_000 + UInt64(frame.pointee.tp_nsec)
            body(UnsafeRawBufferPointer(start: packet + Int(frame.pointee.tp_mac),
                count: Int(frame.pointee.tp_snaplen)), arrival)
            packet += Int(frame.pointee.tp_next_offset)
        }
        header.pointee.hdr.bh1.block_status = UInt32(TP_STATUS_KERNEL)
        block = (block + 1) % Self.blockCount
    }
}
