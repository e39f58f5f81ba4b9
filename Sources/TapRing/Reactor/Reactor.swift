import CURing
import Glibc
import Synchronization
import SystemPackage

/// How a reactor reads and writes, fixed when the engine starts.
struct ReactorSettings: Sendable {
    /// Frames read from a port in one batch, or buffers offered per port to
    /// a multishot read.
    var readDepth: Int
    /// Most writes a port fed through lanes has in flight at once; the next
    /// batch waits for them.
    var writeBatch: Int
    /// Whether ports are read with multishot reads from provided-buffer rings
    /// rather than in batches.
    var multishotReads: Bool
    /// Whether reactors emulate io_uring with `poll` (`PollRing`).
    var pollsInstead: Bool
}

/// One engine thread: an io_uring on which it reads frames in batches,
/// writes each batch to the ports that take direct writes itself, hands
/// frames for the other ports to their home reactors' lanes, and writes the
/// frames queued on its own ports' lanes.
///
/// A frame read on a core is written from that core, from the slot it was
/// read into, wherever the port it goes to lives: the frame's bytes stay in
/// that core's cache, and no reactor waits on another for it. Ports whose
/// every destination takes direct writes are read by every reactor in turn
/// (`PortState`), so that one busy port keeps every core at work.
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
    /// Each engine port's index in the ring's fixed-file table, or -1 for a
    /// port this reactor neither reads nor writes.
    let files: UnsafeMutableBufferPointer<Int32>
    /// This reactor's side of reading each engine port in batches and of
    /// writing what it read to the port's direct destinations.
    var cursors: UnsafeMutableBufferPointer<SourceCursor>
    /// The engine ports this reactor reads in batches: taps and datagram
    /// sockets it owns, and shared ports.
    let batchSources: UnsafeMutableBufferPointer<Int>
    /// The engine ports whose frames this reactor may write to direct
    /// destinations: the ones it reads or owns that have such destinations.
    let directSources: UnsafeMutableBufferPointer<Int>
    var crossbar: Crossbar
    /// One provided-buffer ring per port, when reads are multishot.
    let bufferRings: UnsafeMutablePointer<BufferRing>?
    let completions: UnsafeMutableBufferPointer<UnsafeMutablePointer<io_uring_cqe>?>
    /// Batch reads, direct writes and polls in flight, which `finish()` waits for.
    var batchOperationsInFlight = 0

    /// Sets up the reactor's ring on the calling thread, which must be the
    /// thread that runs it: the ring accepts submissions from one thread only.
    init(index: Int, fabric: Fabric, settings: ReactorSettings) throws(Errno) {
        let owned = (0..<fabric.portCount).filter { fabric.ports[$0].home == index }
        let batches = settings.multishotReads ? [] : (0..<fabric.portCount).filter { port in
            fabric.ports[port].readsFrames && (fabric.ports[port].home == index || fabric.ports[port].readsShared)
        }
        let writesDirect = (0..<fabric.portCount).filter { port in
            !fabric.directDestinations(of: port).isEmpty
                && (fabric.ports[port].home == index || fabric.ports[port].readsShared)
        }
        let reached = Set(batches + writesDirect.flatMap { fabric.directDestinations(of: $0).map(Int.init) })
        let guests = reached.filter { fabric.ports[$0].home != index }.sorted()
        let submissionEntries = ((owned.count + guests.count) * (settings.readDepth + settings.writeBatch) + 64)
            .nextPowerOfTwo
        let ring = try URing(
            entries: UInt32(min(submissionEntries, 4096)), completionEntries: UInt32(min(submissionEntries * 4, 65536)),
            emulated: settings.pollsInstead)
        // The ports it owns first, as `LocalPort` numbers them; then the taps
        // of other reactors that it reads or writes too.
        try ring.registerFiles((owned + guests).flatMap { fabric.ports[$0].fixedFiles })
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

        files = .allocate(capacity: fabric.portCount)
        files.initialize(repeating: -1)
        cursors = .allocate(capacity: fabric.portCount)
        cursors.initialize(repeating: SourceCursor())
        ports = .allocate(capacity: owned.count)
        var file: Int32 = 0
        for (local, port) in owned.enumerated() {
            let description = fabric.ports[port]
            let machinery: LocalPort.Machinery
            switch description.kind {
            case .tap:
                machinery = .none
                files[port] = file
            case .stream(let stream):
                // A listener's connection takes the slot before the listening socket's.
                let listener = stream.listening ? file + 1 : nil
                machinery = .stream(StreamPort.make(
                    batch: settings.writeBatch, listener: listener,
                    connected: listener == nil && !stream.unconnected && stream.connectingTo == nil,
                    connectingTo: stream.connectingTo))
            case .datagram(let datagram):
                machinery = .datagram(DatagramPort.make(
                    batch: settings.writeBatch, descriptor: datagram.descriptor, destination: datagram.destination))
                files[port] = file
            case .nic(let nic):
                machinery = .nic(NICPort.make(nic, doorbell: fabric.signals(of: index).pointee.doorbell))
            }
            let slots = Int32(description.fixedFiles.count)
            (ports.baseAddress! + local).initialize(to: LocalPort(
                description, file: slots > 0 ? file : -1, machinery: machinery))
            file += slots
        }
        for port in guests {
            files[port] = file
            file += 1
        }
        batchSources = .allocate(capacity: batches.count)
        _ = batchSources.initialize(from: batches)
        directSources = .allocate(capacity: writesDirect.count)
        _ = directSources.initialize(from: writesDirect)
        // Reads keep two batches' worth of large slots to themselves.
        crossbar = Crossbar(
            reactor: index, fabric: fabric, outboxCapacity: settings.readDepth, directSources: writesDirect,
            largeSlotsForLanes: max(0, fabric.largeSlotsPerReactor - 2 * settings.readDepth))
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
                    firstSlot: fabric.largeSlots(of: index).lowerBound, arena: fabric.arena,
                    vnetHeaderSize: fabric.ports[port].vnetHeaderSize))
            } catch {
                rings.deinitialize(count: local)
                rings.deallocate()
                throw error
            }
        }
        return rings
    }

    deinit {
        if let bufferRings {
            bufferRings.deinitialize(count: ports.count)
            bufferRings.deallocate()
        }
        for port in ports {
            port.machinery.deallocate()
        }
        ports.deallocate()
        files.deallocate()
        cursors.deallocate()
        batchSources.deallocate()
        directSources.deallocate()
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
            moved += writeOutboxes()
            wake(crossbar.releaseConsumedRoom(), onlyIfStarved: true)
            armReads()
            moved += readBatches()
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
                case .directWrite:
                    completeDirectWrite(operation, result: completion.res)
                case .poll:
                    completePoll(operation)
                case .writable:
                    ports[operation.port].writesInFlight = 0
                case .receive:
                    completeReceive(operation, result: completion.res)
                case .send:
                    completeSend(operation, result: completion.res)
                case .accept, .connect:
                    completeConnection(operation, result: completion.res)
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
        if awaitPeers() {
            _ = ring.submitAndCollect()
            return
        }
        signals.pointee.starved.store(isStarved, ordering: .relaxed)
        signals.pointee.sleeping.store(true, ordering: .sequentiallyConsistent)
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if hasWaitingWork() {
            signals.pointee.sleeping.store(false, ordering: .relaxed)
            _ = ring.submitAndCollect()
        } else {
            Trace.point(.reactor, "reactor \(index) sleeps")
            _ = ring.submitAndWait()
            signals.pointee.sleeping.store(false, ordering: .relaxed)
            Trace.point(.reactor, "reactor \(index) wakes")
        }
        signals.pointee.awaitsTurn.store(false, ordering: .relaxed)
    }

    /// Keeps a read pending on the doorbell eventfd, through which the engine
    /// asks the reactor to look at its stop flag.
    mutating func armDoorbell() {
        let submission = ring.nextSubmission()
        io_uring_prep_read(submission, signals.pointee.doorbell, doorbellValue, 8, 0)
        submission.pointee.user_data = Operation(.doorbell).rawValue
    }
}

/// One reactor's side of reading an engine port in batches, and of writing
/// the frames it delivered from the port to the port's direct destinations.
struct SourceCursor {
    /// Reads the next batch issues.
    var batchSize = Self.smallestBatch
    static let smallestBatch = 8
    /// Reads of the batch in flight, and what they came to so far.
    var readsInFlight = 0
    var framesRead = 0
    /// A read of the batch found the port empty.
    var drained = false
    /// Whether this reactor holds a shared port's reads.
    var holdsReads = false
    /// The number of the shared port's batch in the outbox.
    var batch: UInt64 = 0
    /// The direct destination the outbox's frames go to next, by index.
    var nextDestination = 0
    /// Direct writes of the outbox's frames in flight.
    var writesInFlight = 0
    /// Whether a poll for the port's frames is armed on this reactor's ring.
    var polling = false
}

/// A port as its home reactor tracks it; `Crossbar.ports` maps it to the
/// port's index in the fabric.
struct LocalPort {
    /// What the reactor keeps for a port of each kind, beyond its counters.
    enum Machinery {
        /// A tap: nothing more.
        case none
        case stream(UnsafeMutablePointer<StreamPort>)
        case datagram(UnsafeMutablePointer<DatagramPort>)
        case nic(UnsafeMutablePointer<NICPort>)

        func deallocate() {
            switch self {
            case .none: break
            case .stream(let stream): StreamPort.free(stream)
            case .datagram(let datagram): DatagramPort.free(datagram)
            case .nic(let nic): NICPort.free(nic)
            }
        }
    }

    let machinery: Machinery
    /// The port's index in the ring's fixed-file table; -1 for a NIC. A
    /// listener's connection has this index, its listening socket the next.
    let file: Int32
    // The port's description, stored: the per-frame path reads these.
    /// Whether every read of the port is one frame: a tap or a datagram socket.
    let readsFrames: Bool
    /// Bytes of vnet header before each frame a tap reads or writes.
    let vnetHeaderSize: Int
    /// Whether the port's writes are linked to keep their order.
    let ordersWrites: Bool
    var readsInFlight = 0
    var multishotArmed = false
    var writesInFlight = 0
    /// Set while every destination's lane is full: the port is not read until
    /// one has room, as QEMU stops reading a source that no port can take from.
    var throttled = false
    /// The producer whose lane the next write batch starts with.
    var nextProducer = 0

    init(_ description: PortDescription, file: Int32, machinery: Machinery) {
        self.machinery = machinery
        self.file = file
        readsFrames = description.readsFrames
        vnetHeaderSize = description.vnetHeaderSize
        ordersWrites = description.ordersWrites
    }

    /// Operations submitted and not yet completed.
    var operationsInFlight: Int {
        switch machinery {
        case .nic(let port): port.pointee.timersInFlight
        case .stream(let stream): readsInFlight + writesInFlight + stream.pointee.controlInFlight
        default: readsInFlight + writesInFlight + (multishotArmed ? 1 : 0)
        }
    }
}
