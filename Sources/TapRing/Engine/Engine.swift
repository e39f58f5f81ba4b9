import CLinux
import CURing
import Glibc
import SystemPackage

/// A running network: the taps of a validated command line, joined the way
/// its hubs join them, with reactor threads moving the frames.
///
/// Threading: create, `start()`, `stop()` and deinitialize the engine from one
/// thread; `statistics()` may be called from any thread while it runs.
public final class Engine: @unchecked Sendable {
    private let taps: [TapPort]
    private let arena: FrameArena
    private let storage: Fabric.Storage
    private let settings: ReactorSettings
    private let cpus: [Int]?
    private var threads: [pthread_t] = []

    /// Opens every tap of `plan`, running their up scripts, and lays out the
    /// engine's memory. Nothing moves until `start()`.
    public init(_ plan: NetworkPlan, configuration: EngineConfiguration = .init()) throws(EngineError) {
        try configuration.validate()
        try Self.requireRunnable(plan)
        if configuration.readMode == .multishot {
            try Self.requireMultishotReads()
        }
        let portNetdevs = plan.netdevs.indices.filter { plan.netdevs[$0].isPort }
        let allowedCPUs = CPUAffinity.allowedCPUs()
        let reactorCount = max(1, min(configuration.reactorCount ?? allowedCPUs.count, portNetdevs.count, 64))
        do {
            arena = try FrameArena(
                slotSize: configuration.slotSize, slotCount: configuration.slotsPerReactor * reactorCount)
        } catch {
            throw EngineError("could not map the frame arena", error)
        }
        let doorbells = (0..<reactorCount).map { _ in eventfd(0, Int32(EFD_CLOEXEC)) }
        guard !doorbells.contains(-1) else {
            doorbells.filter { $0 >= 0 }.forEach { close($0) }
            throw EngineError("could not create the reactors' eventfds", Errno.current)
        }
        var taps: [TapPort] = []
        do {
            for netdev in portNetdevs {
                taps.append(try TapPort(plan.netdevs[netdev]))
            }
        } catch {
            // As QEMU's exit notifiers do when a later netdev fails.
            taps.forEach { $0.runDownScript() }
            doorbells.forEach { close($0) }
            throw error
        }
        let ports = taps.enumerated().map { port, tap in
            PortDescription(
                home: port % reactorCount, descriptor: tap.device.descriptor.rawValue,
                vnetHeaderSize: tap.device.vnetHeaderSize, ordersWrites: tap.hasBoundedSendBuffer)
        }
        storage = Fabric.Storage(
            ports: ports, routes: HubRoutes(plan: plan, ports: portNetdevs).destinations,
            reactorCount: reactorCount, arena: arena.view, slotsPerReactor: configuration.slotsPerReactor,
            laneCapacity: configuration.queueCapacity.nextPowerOfTwo, doorbells: doorbells)
        self.taps = taps
        settings = ReactorSettings(
            readDepth: configuration.readDepth, writeBatch: configuration.writeBatch,
            multishotReads: configuration.readMode == .multishot)
        cpus = configuration.pinsReactors ? (0..<reactorCount).map { allowedCPUs[$0 % allowedCPUs.count] } : nil
    }

    deinit {
        stop()
        for reactor in 0..<storage.fabric.reactorCount {
            close(storage.fabric.signals(of: reactor).pointee.doorbell)
        }
        for tap in taps {
            tap.runDownScript()
        }
    }

    /// The interface name of each port, in command-line order.
    public var interfaces: [String] { taps.map(\.device.name) }

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
    }

    /// Asks every reactor to stop and waits for their threads.
    public func stop() {
        let fabric = storage.fabric
        for reactor in 0..<fabric.reactorCount {
            let signals = fabric.signals(of: reactor)
            signals.pointee.stopRequested.store(true, ordering: .sequentiallyConsistent)
            var one: UInt64 = 1
            _ = write(signals.pointee.doorbell, &one, 8)
        }
        threads.forEach(PosixThread.join)
        threads.removeAll()
    }

    /// Every port's counters so far.
    public func statistics() -> [PortStatistics] {
        taps.enumerated().map { port, tap in
            var statistics = PortStatistics(netdev: tap.netdev, interface: tap.device.name)
            storage.fabric.addCounters(for: port, to: &statistics)
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

    /// Refuses, before anything is created, what the engine cannot run yet:
    /// socket netdevs and guest NICs.
    private static func requireRunnable(_ plan: NetworkPlan) throws(EngineError) {
        for netdev in plan.netdevs {
            switch netdev.backend {
            case .tap, .hubport:
                continue
            case .socket:
                throw EngineError(location: netdev.location, "the engine cannot run socket netdevs yet")
            }
        }
        if let device = plan.devices.first {
            throw EngineError(location: device.location, "the engine cannot run guest NICs yet")
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

extension NetworkPlan.Netdev {
    /// Whether the engine reads and writes this netdev itself.
    var isPort: Bool {
        if case .tap = backend { return true }
        return false
    }
}
