import CLinux
import CURing
import Glibc
import SystemPackage

/// A running network: the netdevs and guest NICs of a validated command
/// line, joined the way their peers and hubs join them, with reactor threads
/// moving the frames.
///
/// Threading: create, `start()`, `stop()` and deinitialize the engine from one
/// thread; `statistics()` may be called from any thread while it runs, and
/// `nics` from the emulator's vCPU threads (see `E1000`).
public final class Engine: @unchecked Sendable {
    private let netdevs: [NetdevPort]
    /// The guest NICs of the command line, in order.
    public let nics: [E1000]
    private let nicNames: [String]
    private let arena: FrameArena
    private let storage: Fabric.Storage
    private let layout: QueueLayout
    private let settings: ReactorSettings
    private let cpus: [Int]?
    private var threads: [pthread_t] = []
    /// What runs beside the reactors, each on a thread of its own: the
    /// servers of remote VMs' NICs, guests standing in for an emulator.
    private var companions: [EngineCompanion] = []
    private var companionThreads: [pthread_t] = []
    /// The servers of the NICs VMs drive through `x-remote-object`s.
    private var remoteServers: [MPQemuServer] = []
    /// How the reactors do their I/O: `.ioUring` or `.poll`, never `.automatic`.
    public let backend: EngineConfiguration.IOBackend
    /// Why the engine polls instead of using io_uring, when it chose to: a
    /// line for the user.
    public let backendNotice: String?
    /// The `-object filter-dump` captures, flushed once the reactors stop.
    private let captures: [UnsafeMutablePointer<PacketCapture>]

    /// Opens every netdev of `plan`, running tap up scripts, creates its NICs
    /// with what `attach` gives each, and lays out the engine's memory.
    /// Nothing moves until `start()`.
    ///
    /// `diagnostics` receives each netdev's warnings (`NetworkPlan.Netdev.warnings`)
    /// just before the netdev is opened, where QEMU 7.2 prints them.
    public init(
        _ plan: NetworkPlan, configuration: EngineConfiguration = .init(),
        diagnostics: (String) -> Void = { _ in },
        attach: (NetworkPlan.Device) throws(EngineError) -> NICAttachment
    ) throws(EngineError) {
        try configuration.validate()
        try plan.checkConsistency()
        (backend, backendNotice) = try Self.chooseBackend(configuration.ioBackend)
        if configuration.readMode == .multishot {
            guard backend == .ioUring else {
                throw EngineError("read mode multishot needs io_uring, and the reactors poll instead")
            }
            try Self.requireMultishotReads()
        }
        let allowedCPUs = CPUAffinity.allowedCPUs()
        // Multishot reads draw small slots from buffer rings: no room for GSO frames.
        let portPlan = PortPlan(
            plan, reactors: configuration.reactorCount ?? allowedCPUs.count,
            reactorLimit: EngineConfiguration.reactorLimit, gsoFrames: configuration.readMode != .multishot)
        guard portPlan.portCount <= Operation.portLimit else {
            // QEMU opens them all: one the kernel refuses (a tap of more than
            // 256 queues) is the error then, as it is QEMU's.
            throw Self.failureCreating(plan.netdevs, diagnostics: diagnostics) ?? EngineError(
                "\(portPlan.portCount) netdev queues and NICs: TapRing runs at most \(Operation.portLimit)")
        }
        let (portIDs, reactorCount, layout) = (portPlan.ports, portPlan.reactorCount, portPlan.layout)
        let (offloads, gsoNICs) = (portPlan.offloads, portPlan.gsoNICs)
        // Reads take large slots a batch at a time and give them back once
        // the batch is written, within a round or two: two batches' worth
        // keeps every port read, as more ports only make batches smaller.
        let largeSlotsPerReactor = 2 * configuration.readDepth + configuration.largeSlotsPerReactor
        do {
            arena = try FrameArena(
                slotSize: configuration.slotSize, slotCount: configuration.slotsPerReactor * reactorCount,
                largeSlotCount: largeSlotsPerReactor * reactorCount)
        } catch {
            throw EngineError("could not map the frame arena", error)
        }
        let doorbells = (0..<reactorCount).map { _ in eventfd(0, Int32(EFD_CLOEXEC)) }
        guard !doorbells.contains(-1) else {
            doorbells.filter { $0 >= 0 }.forEach { close($0) }
            throw EngineError("could not create the reactors' eventfds", Errno.current)
        }
        var netdevs: [NetdevPort] = []
        var nics: [E1000] = []
        var captures: [Int: UnsafeMutablePointer<PacketCapture>] = [:]
        let laneCapacity = configuration.queueCapacity.nextPowerOfTwo
        do throws(EngineError) {
            let portOfNetdev = Dictionary(uniqueKeysWithValues: portIDs.enumerated().compactMap { port, id in
                if case .netdev(let index) = id { (index, port) } else { nil }
            })
            for (index, netdev) in plan.netdevs.enumerated() {
                netdev.warnings.forEach(diagnostics)
                guard let port = portOfNetdev[index] else { continue }
                netdevs.append(try NetdevPort(netdev, offloads: offloads.contains(port)))
            }
            captures = try Self.openCaptures(plan, ports: portIDs, layout: layout)
            for (index, device) in plan.devices.enumerated() {
                let attachment = try attach(device)
                do throws(DeviceError) {
                    try attachment.interruptLine.validate()
                } catch {
                    throw EngineError(location: device.location, "the interrupt line: \(error)")
                }
                let sendsGSOFrames = portIDs.firstIndex(of: .device(index)).map(gsoNICs.contains) ?? false
                nics.append(E1000(
                    features: E1000Features(
                        model: device.model, mac: device.mac, mitigation: device.mitigation,
                        autonegotiation: device.autonegotiation, initializesVET: device.initializesVET,
                        extraRegisters: device.extraMACRegisters),
                    memory: attachment.memory, interruptLine: attachment.interruptLine,
                    channel: NICChannel(queuedCapacity: reactorCount * laneCapacity, sendsGSOFrames: sendsGSOFrames),
                    arena: arena.view))
            }
        } catch {
            captures.values.forEach(PacketCapture.close)
            // As QEMU's exit notifiers do when a later netdev fails.
            netdevs.forEach { $0.runDownScript() }
            doorbells.forEach { close($0) }
            throw error
        }
        let kinds = netdevs.flatMap(\.queueKinds) + nics.map(PortKind.nic)
        storage = Fabric.Storage(
            ports: Self.describe(
                kinds, layout: layout, captures: captures, batches: configuration.readMode == .fixedBuffers),
            routes: layout.routes, reactorCount: reactorCount, arena: arena.view,
            slotsPerReactor: configuration.slotsPerReactor, largeSlotsPerReactor: largeSlotsPerReactor,
            laneCapacity: laneCapacity, doorbells: doorbells)
        let fabric = storage.fabric
        for (index, nic) in nics.enumerated() {
            let port = layout.ports[netdevs.count + index][0]
            nic.connect(incoming: (0..<reactorCount).map { fabric.forwardLane(from: $0, to: port) })
        }
        self.netdevs = netdevs
        self.nics = nics
        self.layout = layout
        self.captures = Array(captures.values)
        nicNames = NetworkPlan.Device.clientNames(of: plan.devices)
        settings = ReactorSettings(
            readDepth: configuration.readDepth, writeBatch: configuration.writeBatch,
            multishotReads: configuration.readMode == .multishot, pollsInstead: backend == .poll)
        cpus = configuration.pinsReactors ? (0..<reactorCount).map { allowedCPUs[$0 % allowedCPUs.count] } : nil
    }

    deinit {
        stop()
        captures.forEach(PacketCapture.close)
        for reactor in 0..<storage.fabric.reactorCount {
            close(storage.fabric.signals(of: reactor).pointee.doorbell)
        }
        for netdev in netdevs {
            netdev.runDownScript()
        }
    }

    /// The interface name of each tap, in command-line order.
    public var interfaces: [String] { netdevs.compactMap(\.interface) }

    /// What the user should hear of netdevs that opened but carry nothing,
    /// each naming its option: stream clients that could not connect.
    public var warnings: [String] { netdevs.compactMap(\.warning) }

    /// Starts one thread per reactor and returns once all are moving frames.
    public func start() throws(EngineError) {
        guard threads.isEmpty else { return }
        let fabric = storage.fabric
        let gate = StartupGate(expected: fabric.reactorCount)
        for reactor in 0..<fabric.reactorCount {
            do {
                threads.append(try PosixThread.spawn(pinnedTo: cpus?[reactor]) { [settings] in
                    Self.runReactor(reactor, fabric: fabric, settings: settings, gate: gate)
                })
            } catch {
                gate.fail("could not start reactor thread \(reactor): \(error)")
                break
            }
        }
        if let failure = gate.wait() {
            stop()
            throw EngineError(failure)
        }
        for companion in companions {
            do {
                companionThreads.append(try PosixThread.spawn(pinnedTo: nil, companion.run))
            } catch {
                stop()
                throw EngineError("could not start the thread of \(companion.name)", error)
            }
        }
    }

    /// Asks every reactor (and what runs beside them) to stop and waits for
    /// their threads.
    public func stop() {
        companions.forEach { $0.stop() }
        companionThreads.forEach(PosixThread.join)
        companionThreads.removeAll()
        let fabric = storage.fabric
        for reactor in 0..<fabric.reactorCount {
            let signals = fabric.signals(of: reactor)
            signals.pointee.stopRequested.store(true, ordering: .sequentiallyConsistent)
            EventCounter(descriptor: signals.pointee.doorbell).signal()
        }
        if !threads.isEmpty {
            threads.forEach(PosixThread.join)
            threads.removeAll()
            // With the guest models and remote servers stopped, no guest
            // reads the NICs' lanes again.
            fabric.dropFramesLeftInLanes(countingNICs: !companions.isEmpty)
        }
        // The reactors are gone: their captures are the control thread's now.
        dumpFailures = captures.flatMap { $0.flushChain() }
    }

    /// For each `-object filter-dump` whose file refused a write, QEMU's
    /// message: the dump stopped there, the frames went on. Set by `stop()`.
    public private(set) var dumpFailures: [String] = []

    /// Stops reading netdevs: frames that arrive wait in the kernel until
    /// `resume()`. Reads already in flight still complete, and frames already
    /// read are still written. For the drain method of measuring.
    package func pause() {
        setPaused(true)
    }

    /// Reads netdevs again after `pause()`.
    package func resume() {
        setPaused(false)
    }

    private func setPaused(_ paused: Bool) {
        let fabric = storage.fabric
        for reactor in 0..<fabric.reactorCount {
            let signals = fabric.signals(of: reactor)
            signals.pointee.paused.store(paused, ordering: .sequentiallyConsistent)
            EventCounter(descriptor: signals.pointee.doorbell).signal()
        }
    }

    /// CPU seconds the reactor threads have used so far, user and system.
    ///
    /// The corresponding C functions are `pthread_getcpuclockid` and `clock_gettime`.
    package func reactorCPUSeconds() -> Double {
        threads.reduce(0) { total, thread in
            var clock = clockid_t()
            var used = timespec()
            guard pthread_getcpuclockid(thread, &clock) == 0, clock_gettime(clock, &used) == 0 else { return total }
            return total + Double(used.tv_sec) + Double(used.tv_nsec) / 1e9
        }
    }

    /// Runs `companion` on a thread of its own from `start()` until `stop()`,
    /// which stops it before the reactors. Add companions before `start()`.
    package func add(_ companion: EngineCompanion) {
        companions.append(companion)
    }

    /// Serves a remote VM's NIC through `server` while the engine runs.
    package func add(_ server: MPQemuServer) {
        remoteServers.append(server)
        add(EngineCompanion(name: "x-remote-object \(server.name)", run: server.run, stop: server.stop))
    }

    /// How many of the plan's `x-remote-object`s still serve their VM: a
    /// server stops when its VM closes the socket or breaks the protocol.
    public var connectedRemoteDevices: Int {
        remoteServers.count { $0.isConnected }
    }

    /// Every port's counters so far, those of a multi-queue tap's queues
    /// summed: netdevs first, then NICs.
    public func statistics() -> [PortStatistics] {
        let ports = netdevs.map { PortStatistics(netdev: $0.id, interface: $0.interface ?? $0.id) }
            + zip(nics, nicNames).map { nic, name in nic.statistics(name: name) }
        return ports.enumerated().map { port, statistics in
            var statistics = statistics
            for queue in layout.ports[port] {
                storage.fabric.addCounters(for: queue, to: &statistics)
            }
            return statistics
        }
    }

    private static func runReactor(_ index: Int, fabric: Fabric, settings: ReactorSettings, gate: StartupGate) {
        var reactor: Reactor
        do {
            reactor = try Reactor(index: index, fabric: fabric, settings: settings)
        } catch {
            gate.fail("could not set up io_uring for reactor \(index): \(error)")
            return
        }
        fabric.signals(of: index).pointee.ringDescriptor.store(reactor.ring.descriptor, ordering: .releasing)
        gate.arrive()
        guard gate.wait() == nil else { return }
        reactor.run()
    }

    /// What the reactors know of each port. With reads in batches, a tap
    /// whose writes never wait and that no capture records takes direct
    /// writes from any reactor, and its reads may be shared when it has one
    /// queue; the others are read and written by their home reactor only.
    private static func describe(
        _ kinds: [PortKind], layout: QueueLayout, captures: [Int: UnsafeMutablePointer<PacketCapture>], batches: Bool
    ) -> [PortDescription] {
        let multiQueue = Set(layout.ports.filter { $0.count > 1 }.joined())
        return kinds.enumerated().map { port, kind in
            var description = PortDescription(home: layout.homes[port], kind: kind, capture: captures[port])
            if batches, captures[port] == nil, case .tap(let tap) = kind {
                description.takesDirectWrites = !tap.ordersWrites
                description.mayShareReads = !multiQueue.contains(port)
            }
            return description
        }
    }

    /// Opens the pcap file of every enabled filter-dump, chained by port. A
    /// hub port's traffic is its peer's, the other way round: what the hub
    /// port receives, its peer sent.
    private static func openCaptures(_ plan: NetworkPlan, ports: [PortID], layout: QueueLayout) throws(EngineError)
        -> [Int: UnsafeMutablePointer<PacketCapture>]
    {
        var captures: [Int: UnsafeMutablePointer<PacketCapture>] = [:]
        do throws(EngineError) {
            for var dump in plan.dumps where dump.enabled {
                var netdev = dump.netdev
                if case .hubport = plan.netdevs[netdev].backend {
                    guard let peer = plan.netdevs[netdev].peer else {
                        // No frame passes a port without a peer: the file
                        // holds the pcap header alone, as QEMU's does.
                        PacketCapture.close(try PacketCapture.open(dump))
                        continue
                    }
                    netdev = peer
                    dump.direction = dump.direction.reversed
                }
                guard let port = ports.firstIndex(of: .netdev(netdev)) else {
                    throw EngineError("filter-dump \(dump.id): netdev '\(plan.netdevs[dump.netdev].id)' leads to a "
                        + "guest NIC or another hub, which TapRing does not capture yet; name the netdev behind it")
                }
                // A capture is written by its port's reactor alone, and a
                // multi-queue tap's queues have reactors of their own.
                guard layout.ports[port].count == 1 else {
                    throw EngineError("filter-dump \(dump.id): netdev '\(plan.netdevs[netdev].id)': "
                        + "multiqueue is not supported")
                }
                let capture = try PacketCapture.open(dump)
                let queue = layout.ports[port][0]
                capture.pointee.next = captures[queue]
                captures[queue] = capture
            }
        } catch {
            captures.values.forEach(PacketCapture.close)
            throw error
        }
        return captures
    }

    /// The back end to run: io_uring if a ring can be set up, when that is
    /// allowed; `poll` when asked, or when the kernel or a seccomp filter
    /// refuses io_uring and the choice was left to the engine.
    private static func chooseBackend(_ wanted: EngineConfiguration.IOBackend) throws(EngineError)
        -> (EngineConfiguration.IOBackend, String?)
    {
        guard wanted != .poll else { return (.poll, nil) }
        do {
            _ = try URing(entries: 2, completionEntries: 4)
            return (.ioUring, nil)
        } catch {
            let refused: [Errno] = [.notPermitted, .noFunction, .permissionDenied]
            guard wanted == .automatic, refused.contains(error) else {
                throw EngineError("io_uring is unavailable", error)
            }
            return (.poll, "io_uring is unavailable (\(error)): the reactors poll and read and write instead")
        }
    }

    private static func requireMultishotReads() throws(EngineError) {
        do {
            let probe = try URing(entries: 2, completionEntries: 4)
            if probe.supports(Int32(CURING_OP_READ_MULTISHOT)) { return }
        } catch {
            throw EngineError("io_uring is unavailable", error)
        }
        throw EngineError("read mode multishot needs IORING_OP_READ_MULTISHOT (Linux 6.7 or later)")
    }
}

/// What an emulator gives each guest NIC: the guest memory it DMAs into and
/// the line it raises interrupts on.
public struct NICAttachment: Sendable {
    public var memory: GuestMemory
    public var interruptLine: InterruptLine

    public init(memory: GuestMemory, interruptLine: InterruptLine) {
        self.memory = memory
        self.interruptLine = interruptLine
    }
}
