import CURing
import Glibc
import SystemPackage

/// A stream socket port's state on its home reactor: bytes received and not
/// yet cut into frames, and the batch of frames being sent.
struct StreamPort {
    /// QEMU's `NET_BUFSIZE`: one receive reads at most this many bytes, and a
    /// frame may be no longer.
    static let chunk = 4096 + 65536

    /// Received bytes; `[start, end)` are not yet cut into frames.
    let buffer: UnsafeMutableRawPointer
    var start = 0
    var end = 0
    var receiving = false
    /// Set while a connection carries frames. A connected stream that the
    /// peer closes, or whose framing breaks, is done; a listener's is closed
    /// and the next connection accepted.
    var connected: Bool
    /// The fixed-file index of the listening socket, for a listener.
    let listener: Int32?
    /// An accept or a close in flight on a listener, or a client's connect.
    var controlInFlight = 0
    /// Where a client whose connection is still to be made connects, and
    /// the address's length; nil once that connect completed.
    var connectingTo: UnsafeMutablePointer<sockaddr_storage>?
    var connectingToLength: socklen_t = 0
    /// Whether a listener's connection slot holds a connection, ended or not.
    var hasConnection = false
    /// A zero-length frame went out: QEMU's `net_socket_receive` returns 0
    /// for it, which its net layer takes as "try later", and the backend
    /// never sends again. The port reproduces that: later frames are dropped.
    var wedged = false
    /// The frames of the send in flight: a length and a frame per pair of vectors.
    let lengths: UnsafeMutablePointer<UInt32>
    let vectors: UnsafeMutablePointer<iovec>
    let slots: UnsafeMutablePointer<UInt32>
    let message: UnsafeMutablePointer<msghdr>
    var sending = 0
    var sendingBytes = 0

    /// A port's state; `connected` for a client whose connection was made,
    /// `connectingTo` for one whose connection the reactor makes.
    static func make(batch: Int, listener: Int32?, connected: Bool, connectingTo: SocketEndpoint?)
        -> UnsafeMutablePointer<StreamPort>
    {
        let port = UnsafeMutablePointer<StreamPort>.allocate(capacity: 1)
        port.initialize(to: StreamPort(
            buffer: .allocate(byteCount: 2 * chunk, alignment: 64), connected: connected, listener: listener,
            lengths: .allocate(capacity: batch),
            vectors: .allocate(capacity: 2 * batch), slots: .allocate(capacity: batch),
            message: .allocate(capacity: 1)))
        if let connectingTo {
            port.pointee.connectingTo = .allocate(capacity: 1)
            port.pointee.connectingToLength = connectingTo.store(at: port.pointee.connectingTo!)
        }
        return port
    }

    static func free(_ port: UnsafeMutablePointer<StreamPort>) {
        port.pointee.buffer.deallocate()
        port.pointee.lengths.deallocate()
        port.pointee.vectors.deallocate()
        port.pointee.slots.deallocate()
        port.pointee.message.deallocate()
        port.pointee.connectingTo?.deallocate()
        port.deinitialize(count: 1)
        port.deallocate()
    }
}

extension Reactor {
    /// Cuts what the stream ports received into frames, then keeps a receive
    /// in flight on each that its destinations can take frames from: while a
    /// NIC it feeds has frames queued, the socket is not read, as in QEMU.
    mutating func armStreamReceives() {
        for local in ports.indices {
            guard case .stream(let stream) = ports[local].machinery else { continue }
            let file = ports[local].file
            if stream.pointee.listener != nil && !stream.pointee.connected {
                renewConnection(local, file: file, stream)
                continue
            }
            if stream.pointee.connectingTo != nil {
                connect(local, file: file, stream)
                continue
            }
            deliverReceivedFrames(local, stream)
            guard !stream.pointee.receiving, stream.pointee.connected, readLimit(local) > 0 else { continue }
            guard crossbar.nicsCaughtUp(from: crossbar.ports[local]) else {
                // Waiting on the NIC: its home reactor wakes this one when it catches up.
                ports[local].throttled = true
                continue
            }
            if stream.pointee.end > StreamPort.chunk {
                let pending = stream.pointee.end - stream.pointee.start
                stream.pointee.buffer.copyMemory(from: stream.pointee.buffer + stream.pointee.start, byteCount: pending)
                stream.pointee.start = 0
                stream.pointee.end = pending
            }
            // Whole frames that found no slot yet may fill the buffer; they
            // go first. A part of a frame leaves room: a frame is at most a chunk.
            let space = min(StreamPort.chunk, 2 * StreamPort.chunk - stream.pointee.end)
            guard space > 0 else { continue }
            let submission = ring.nextSubmission()
            io_uring_prep_recv(submission, file, stream.pointee.buffer + stream.pointee.end, space, 0)
            submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
            submission.pointee.user_data = Operation(.receive, port: local).rawValue
            stream.pointee.receiving = true
            ports[local].readsInFlight = 1
        }
    }

    mutating func completeReceive(_ operation: Operation, result: Int32) {
        let local = operation.port
        guard case .stream(let stream) = ports[local].machinery else { return }
        stream.pointee.receiving = false
        ports[local].readsInFlight = 0
        guard result > 0 else {
            if result == 0 {
                stream.pointee.connected = false
            } else {
                readFailed(local, result: result)
                let error = Errno(completionResult: result)
                if error != .interrupted && error != .canceled { stream.pointee.connected = false }
            }
            return
        }
        stream.pointee.end += Int(result)
        deliverReceivedFrames(local, stream)
    }

    /// Hands every complete frame in the buffer to the hub, each in a small
    /// slot or, when it does not fit one, a large slot; a length beyond
    /// QEMU's limit ends the stream, as QEMU drops such a connection. Stops
    /// while the source's outbox is full: the rest waits in the buffer.
    private mutating func deliverReceivedFrames(_ local: Int, _ stream: UnsafeMutablePointer<StreamPort>) {
        let port = crossbar.ports[local]
        let counters = fabric.counters(of: index, for: port)
        let writesDirect = !fabric.directDestinations(of: port).isEmpty
        while stream.pointee.end - stream.pointee.start >= 4 {
            let header = stream.pointee.buffer + stream.pointee.start
            let length = Int(UInt32(bigEndian: header.loadUnaligned(as: UInt32.self)))
            guard length <= StreamPort.chunk else {
                stream.pointee.connected = false
                counters.pointee.errors.bump()
                return
            }
            // QEMU's `net_fill_rstate` ends a frame only while it has bytes
            // left to parse: a zero-length one waits for the next byte.
            guard stream.pointee.end - stream.pointee.start >= 4 + max(length, 1) else { return }
            if writesDirect && crossbar.outboxRoom(of: port) == 0 { return }
            let small = length <= fabric.arena.slotSize - FrameArena.headroom
            guard let slot = small ? crossbar.pool.take() : crossbar.largePool.take() else { return }
            let frame = Frame(slot: slot, length: UInt32(length))
            fabric.arena.bytes(of: frame).copyMemory(from: header + 4, byteCount: length)
            if fabric.ports[port].reachesVnetHeaders {
                // A tap with a vnet header gets this frame: give it an empty one.
                fabric.arena.start(of: slot).initializeMemory(as: UInt8.self, repeating: 0, count: FrameArena.headroom)
            }
            counters.pointee.framesIn.bump()
            counters.pointee.bytesIn.bump(by: UInt64(length))
            fabric.ports[port].capture?.record(header + 4, length: length, going: .tx)
            _ = crossbar.deliver(frame, from: port)
            stream.pointee.start += 4 + length
        }
        if stream.pointee.start == stream.pointee.end {
            stream.pointee.start = 0
            stream.pointee.end = 0
        }
    }

    /// Sends the frames queued for a stream port as one message, a 4-byte
    /// big-endian length before each; MSG_WAITALL makes the kernel finish a
    /// partial send before the next batch starts. Returns the frames taken.
    mutating func sendStreamBatch(_ local: Int, file: Int32, _ stream: UnsafeMutablePointer<StreamPort>) -> Int {
        var count = 0
        var bytes = 0
        var lane = 0
        while count < settings.writeBatch, let frame = nextQueuedFrame(for: local, lane: &lane) {
            if !stream.pointee.connected || stream.pointee.wedged {
                fabric.counters(of: index, for: crossbar.ports[local]).pointee.drops.bump()
                crossbar.release(frame.slot)
                continue
            }
            if frame.length == 0 { stream.pointee.wedged = true }
            fabric.ports[crossbar.ports[local]].capture?.record(
                fabric.arena.bytes(of: frame), length: Int(frame.length), going: .rx)
            stream.pointee.lengths[count] = frame.length.bigEndian
            stream.pointee.vectors[2 * count] = iovec(iov_base: stream.pointee.lengths + count, iov_len: 4)
            stream.pointee.vectors[2 * count + 1] = iovec(
                iov_base: fabric.arena.bytes(of: frame), iov_len: Int(frame.length))
            stream.pointee.slots[count] = frame.slot
            bytes += Int(frame.length)
            count += 1
        }
        ports[local].nextProducer = (ports[local].nextProducer + 1) % fabric.reactorCount
        guard count > 0 else { return 0 }
        var message = msghdr()
        message.msg_iov = stream.pointee.vectors
        message.msg_iovlen = 2 * count
        stream.pointee.message.pointee = message
        let submission = ring.nextSubmission()
        io_uring_prep_sendmsg(submission, file, stream.pointee.message, UInt32(MSG_WAITALL | MSG_NOSIGNAL))
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
        submission.pointee.user_data = Operation(.send, port: local).rawValue
        stream.pointee.sending = count
        stream.pointee.sendingBytes = bytes
        ports[local].writesInFlight = 1
        return count
    }

    mutating func completeSend(_ operation: Operation, result: Int32) {
        let local = operation.port
        guard case .stream(let stream) = ports[local].machinery else { return }
        ports[local].writesInFlight = 0
        let counters = fabric.counters(of: index, for: crossbar.ports[local])
        if result >= 0 {
            counters.pointee.framesOut.bump(by: UInt64(stream.pointee.sending))
            counters.pointee.bytesOut.bump(by: UInt64(stream.pointee.sendingBytes))
        } else {
            counters.pointee.errors.bump()
            if Errno(completionResult: result) != .interrupted { stream.pointee.connected = false }
        }
        for index in 0..<stream.pointee.sending {
            crossbar.release(stream.pointee.slots[index])
        }
        stream.pointee.sending = 0
    }
}

extension Reactor {
    /// Brings a listener's connection back: the ended one is closed, and
    /// the next accepted into the same fixed-file slot, one step at a time
    /// once nothing else is in flight on it, as QEMU listens again after
    /// `net_socket_send` sees the end of a connection.
    private mutating func renewConnection(_ local: Int, file: Int32, _ stream: UnsafeMutablePointer<StreamPort>) {
        guard let listener = stream.pointee.listener, stream.pointee.controlInFlight == 0,
            !stream.pointee.receiving, ports[local].writesInFlight == 0
        else { return }
        let submission = ring.nextSubmission()
        if stream.pointee.hasConnection {
            io_uring_prep_close_direct(submission, UInt32(file))
            submission.pointee.user_data = Operation(.close, port: local).rawValue
        } else {
            io_uring_prep_accept_direct(submission, listener, nil, nil, 0, UInt32(file))
            submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
            submission.pointee.user_data = Operation(.accept, port: local).rawValue
        }
        stream.pointee.controlInFlight = 1
    }

    /// Connects a client whose server had not answered as the engine
    /// started, once, as QEMU finishes a connection in the background.
    private mutating func connect(_ local: Int, file: Int32, _ stream: UnsafeMutablePointer<StreamPort>) {
        guard stream.pointee.controlInFlight == 0, let address = stream.pointee.connectingTo else { return }
        let submission = ring.nextSubmission()
        address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            io_uring_prep_connect(submission, file, $0, stream.pointee.connectingToLength)
        }
        submission.pointee.flags |= CURING_IOSQE_FIXED_FILE
        submission.pointee.user_data = Operation(.connect, port: local).rawValue
        stream.pointee.controlInFlight = 1
    }

    /// A listener accepted a connection, or a client connected: the stream
    /// carries frames from an empty buffer. On failure a listener accepts
    /// again, and a client, as in QEMU, stays unconnected for good.
    mutating func completeConnection(_ operation: Operation, result: Int32) {
        guard case .stream(let stream) = ports[operation.port].machinery else { return }
        stream.pointee.controlInFlight = 0
        stream.pointee.connectingTo?.deallocate()
        stream.pointee.connectingTo = nil
        guard result >= 0 else {
            readFailed(operation.port, result: result)
            return
        }
        stream.pointee.start = 0
        stream.pointee.end = 0
        stream.pointee.hasConnection = stream.pointee.listener != nil
        stream.pointee.connected = true
    }

    mutating func completeClose(_ operation: Operation) {
        guard case .stream(let stream) = ports[operation.port].machinery else { return }
        stream.pointee.controlInFlight = 0
        stream.pointee.hasConnection = false
    }
}
