import CURing
import Glibc
import Synchronization
import SystemPackage

/// How a reactor reads and writes, fixed when the engine starts.
struct ReactorSettings: Sendable {
    /// Fixed-buffer reads kept in flight per port, or buffers offered per port
    /// to a multishot read.
    var readDepth: Int
    /// Most writes a port has in flight at once; the next batch waits for them.
    var writeBatch: Int
    /// Whether ports are read with multishot reads from provided-buffer rings
    /// rather than with fixed-buffer reads.
    var multishotReads: Bool
    /// Whether reactors emulate io_uring with `poll` (`PollRing`).
    var pollsInstead: Bool
}

/// One engine thread: an io_uring that keeps reads in flight on the ports
/// this thread owns, hands every frame it reads to the lanes of the ports the
/// hub routes it to, and writes the frames queued for its own ports.
///
/// Ports are spread over reactors, one reactor per core, so that reading a
/// frame and writing its copies run on different cores, each in batches.
struct Reactor: ~Copyable {
    // A non-optional pointer first: Swift 6.3's ThreadSanitizer instrumentation
    // of a mutating access to a noncopyable struct takes its first word for
    // an address, and emits invalid IR when that word is not a pointer.
    let doorbellValue: UnsafeMutablePointer<UInt64>
    let index: Int
    let fabric: Fabric
    let settings: ReactorSettings
    let ring: URing
    /// Whether the arena is registered as fixed buffer 0 of `ring`.
    let usesFixedBuffers: Bool
    /// The I/O state of the ports this reactor owns, by local index, which is
    /// also each port's index in the ring's fixed-file table.
    var ports: UnsafeMutableBufferPointer<LocalPort>
    var crossbar: Crossbar
    /// One provided-buffer ring per port, when reads are multishot.
    let bufferRings: UnsafeMutablePointer<BufferRing>?
    let completions: UnsafeMutableBufferPointer<UnsafeMutablePointer<io_uring_cqe>?>

    /// Sets up the reactor's ring on the calling thread, which must be the
    /// thread that runs it: the ring accepts submissions from one thread only.
    init(index: Int, fabric: Fabric, settings: ReactorSettings) throws(Errno) {
        let owned = (0..<fabric.portCount).filter { fabric.ports[$0].home == index }
        let submissionEntries = (owned.count * (settings.readDepth + settings.writeBatch) + 64).nextPowerOfTwo
        let ring = try URing(
            entries: UInt32(min(submissionEntries, 4096)), completionEntries: UInt32(min(submissionEntries * 4, 65536)),
            emulated: settings.pollsInstead)
        try ring.registerFiles(owned.flatMap { fabric.ports[$0].fixedFiles })
        // Registration pins the arena against RLIMIT_MEMLOCK; without it,
        // reads and writes pass plain addresses and cost a page walk each.
        let registered = (try? ring.registerBuffer(fabric.arenaBytes)) != nil
        let rings = settings.multishotReads
            ? try Self.makeBufferRings(on: ring, for: owned, of: index, in: fabric, depth: settings.readDepth) : nil
        usesFixedBuffers = registered
        bufferRings = rings
        self.ring = ring
        self.index = index
        self.fabric = fabric
        self.settings = settings

        ports = .allocate(capacity: owned.count)
        var file: Int32 = 0
        for (local, port) in owned.enumerated() {
            let role: LocalPort.Role
            switch fabric.ports[port].kind {
            case .tap(_, let vnetHeaderSize, let ordersWrites, let offloads):
                role = .tap(file: file, vnetHeaderSize: vnetHeaderSize, ordersWrites: ordersWrites, offloads: offloads)
                file += 1
            case .streamSocket(_, let listening):
                // A listener's connection takes the slot before the listening socket's.
                role = .stream(file: file, StreamPort.make(batch: settings.writeBatch, listener: listening ? file + 1 : nil))
                file += listening ? 2 : 1
            case .datagramSocket(_, let destination):
                role = .datagram(file: file, DatagramPort.make(batch: settings.writeBatch, destination: destination))
                file += 1
            case .nic(let nic):
                role = .nic(NICPort.make(nic, doorbell: fabric.signals(of: index).pointee.doorbell))
            }
            (ports.baseAddress! + local).initialize(to: LocalPort(role: role))
        }
        crossbar = Crossbar(reactor: index, fabric: fabric)
        completions = .allocate(capacity: 256)
        doorbellValue = .allocate(capacity: 1)
    }

    /// One provided-buffer ring per owned port, each laid out for the port's
    /// vnet header.
    private static func makeBufferRings(
        on ring: borrowing URing, for owned: [Int], of index: Int, in fabric: Fabric, depth: Int
    ) throws(Errno) -> UnsafeMutablePointer<BufferRing> {
        let rings = UnsafeMutablePointer<BufferRing>.allocate(capacity: owned.count)
        for (local, port) in owned.enumerated() {
            do throws(Errno) {
                (rings + local).initialize(to: try BufferRing(
                    on: ring, group: UInt16(local), capacity: (2 * depth).nextPowerOfTwo,
                    firstSlot: fabric.slots(of: index).lowerBound, arena: fabric.arena,
                    vnetHeaderSize: Self.vnetHeaderSize(of: fabric.ports[port].kind)))
            } catch {
                rings.deinitialize(count: local)
                rings.deallocate()
                throw error
            }
        }
        return rings
    }

    private static func vnetHeaderSize(of kind: PortKind) -> Int {
        if case .tap(_, let size, _, _) = kind { return size }
        return 0
    }

    deinit {
        if let bufferRings {
            bufferRings.deinitialize(count: ports.count)
            bufferRings.deallocate()
        }
        for port in ports {
            port.role.deallocate()
        }
        ports.deallocate()
        completions.deallocate()
        doorbellValue.deallocate()
    }

    var signals: UnsafeMutablePointer<ReactorSignals> { fabric.signals(of: index) }

    /// Moves frames until the engine asks the reactor to stop.
    mutating func run() {
        armDoorbell()
        var harvested = 0
        while !signals.pointee.stopRequested.load(ordering: .relaxed) {
            var moved = crossbar.collectReturnedSlots()
            moved += serviceNICs()
            moved += sendQueuedFrames()
            wake(crossbar.releaseConsumedRoom(), onlyIfStarved: true)
            armReads()
            if moved == 0 && harvested == 0 {
                sleepUntilWork()
            } else {
                _ = ring.submitAndCollect()
            }
            harvested = harvest()
            wake(crossbar.publishDeliveries(), onlyIfStarved: false)
        }
        finish()
    }

    /// Cancels what is still in flight, waits for it, and lets go of the
    /// ports' descriptors: the kernel tears a ring down in the background, and
    /// its registered files would keep taps alive after the engine is gone.
    private mutating func finish() {
        var pending = 1 + ports.reduce(0) { $0 + $1.operationsInFlight }
        let submission = ring.nextSubmission()
        io_uring_prep_cancel64(submission, 0, Int32(IORING_ASYNC_CANCEL_ANY))
        submission.pointee.user_data = Operation(.wake).rawValue
        while pending > 0 {
            let result = ring.submitAndWait()
            guard result >= 0 || result == -EINTR else { break }
            let count = ring.readyCompletions(into: completions)
            for entry in completions.prefix(count) {
                let completion = entry.unsafelyUnwrapped.pointee
                switch Operation(rawValue: completion.user_data).kind {
                case .read, .write, .receive, .send, .accept, .close, .timer, .doorbell:
                    pending -= 1
                case .multishotRead where completion.flags & IORING_CQE_F_MORE == 0:
                    pending -= 1
                default:
                    break
                }
            }
            ring.markSeen(count)
        }
        ring.unregisterFiles()
    }

    /// Handles every ready completion; returns how many there were.
    mutating func harvest() -> Int {
        var total = 0
        while true {
            let count = ring.readyCompletions(into: completions)
            for entry in completions.prefix(count) {
                let completion = entry.unsafelyUnwrapped.pointee
                let operation = Operation(rawValue: completion.user_data)
                switch operation.kind {
                case .read:
                    completeRead(operation, result: completion.res)
                case .multishotRead:
                    completeMultishotRead(operation, result: completion.res, flags: completion.flags)
                case .write:
                    completeWrite(operation, result: completion.res)
                case .receive:
                    completeReceive(operation, result: completion.res)
                case .send:
                    completeSend(operation, result: completion.res)
                case .accept:
                    completeAccept(operation, result: completion.res)
                case .close:
                    completeClose(operation)
                case .timer:
                    completeTimer(operation)
                case .doorbell:
                    armDoorbell()
                case .wake, .none:
                    break
                }
            }
            ring.markSeen(count)
            total += count
            if count < completions.count { return total }
        }
    }

    /// Blocks in `io_uring_enter` until a completion arrives, unless a peer
    /// handed over work while this reactor was deciding to sleep.
    mutating func sleepUntilWork() {
        signals.pointee.starved.store(isStarved, ordering: .relaxed)
        signals.pointee.sleeping.store(true, ordering: .sequentiallyConsistent)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if hasWaitingWork() {
            signals.pointee.sleeping.store(false, ordering: .relaxed)
            _ = ring.submitAndCollect()
        } else {
            _ = ring.submitAndWait()
            signals.pointee.sleeping.store(false, ordering: .relaxed)
        }
    }

    /// Keeps a read pending on the doorbell eventfd, through which the engine
    /// asks the reactor to look at its stop flag.
    mutating func armDoorbell() {
        let submission = ring.nextSubmission()
        io_uring_prep_read(submission, signals.pointee.doorbell, doorbellValue, 8, 0)
        submission.pointee.user_data = Operation(.doorbell).rawValue
    }
}

/// A port as its home reactor tracks it; `Crossbar.ports` maps it to the
/// port's index in the fabric.
struct LocalPort {
    /// What the port is, with what its kind needs; `file` is the port's
    /// index in the ring's fixed-file table.
    enum Role {
        /// With `offloads`, the tap is read into large slots.
        case tap(file: Int32, vnetHeaderSize: Int, ordersWrites: Bool, offloads: Bool)
        case stream(file: Int32, UnsafeMutablePointer<StreamPort>)
        case datagram(file: Int32, UnsafeMutablePointer<DatagramPort>)
        case nic(UnsafeMutablePointer<NICPort>)

        func deallocate() {
            switch self {
            case .tap: break
            case .stream(_, let stream): StreamPort.free(stream)
            case .datagram(_, let datagram): DatagramPort.free(datagram)
            case .nic(let nic): NICPort.free(nic)
            }
        }
    }

    let role: Role
    var readsInFlight = 0
    var multishotArmed = false
    var writesInFlight = 0
    /// Set while every destination's lane is full: the port is not read until
    /// one has room, as QEMU stops reading a source that no port can take from.
    var throttled = false
    /// Set when the netdev failed for good; the port is no longer read.
    var down = false
    /// The producer whose lane the next write batch starts with.
    var nextProducer = 0

    init(role: Role) {
        self.role = role
    }

    /// Operations submitted and not yet completed.
    var operationsInFlight: Int {
        switch role {
        case .nic(let port): port.pointee.timersInFlight
        case .stream(_, let stream): readsInFlight + writesInFlight + stream.pointee.controlInFlight
        default: readsInFlight + writesInFlight + (multishotArmed ? 1 : 0)
        }
    }

    /// Whether the port is read into large slots: a tap with offloads.
    var readsLargeFrames: Bool {
        if case .tap(_, _, _, let offloads) = role { return offloads }
        return false
    }

    /// Whether every read of the port is one frame: a tap or a datagram socket.
    var readsFrames: Bool {
        switch role {
        case .tap, .datagram: true
        case .stream, .nic: false
        }
    }

    /// The port's index in the fixed-file table; -1 for a NIC.
    var file: Int32 {
        switch role {
        case .tap(let file, _, _, _), .stream(let file, _), .datagram(let file, _): file
        case .nic: -1
        }
    }

    /// Bytes of vnet header before each frame a tap reads or writes.
    var vnetHeaderSize: Int {
        if case .tap(_, let size, _, _) = role { return size }
        return 0
    }

    /// Whether the port's writes are linked to keep their order: a tap with a
    /// bounded send buffer, or a datagram socket, can park a write on poll.
    var ordersWrites: Bool {
        switch role {
        case .tap(_, _, let ordersWrites, _): ordersWrites
        case .datagram: true
        case .stream, .nic: false
        }
    }
}
