import Synchronization

/// Everything the reactors share, laid out once before they start: the
/// arena, who owns which port, the hub's routes, the lanes between reactors,
/// the reactors' signals and the per-port counters.
///
/// Unchecked `Sendable`: the layout never changes while reactors run; each
/// lane has one producer and one consumer; every counter row has one writer;
/// signals are atomics.
package struct Fabric: @unchecked Sendable {
    let reactorCount: Int
    let ports: UnsafeBufferPointer<PortDescription>
    package let arena: ArenaView
    /// Each reactor's share of the small slots, and of the large ones.
    let slotsPerReactor: Int
    let largeSlotsPerReactor: Int
    /// Each port's destinations sit at `routeStarts[port]..<routeStarts[port + 1]`
    /// of `routeTargets`: first those it writes to directly, up to
    /// `directEnds[port]`, then the lanes' that take GSO frames as they are
    /// (taps with a vnet header), up to `gsoEnds[port]`, then the lanes' that
    /// take plain frames only.
    private let routeStarts: UnsafePointer<Int32>
    private let directEnds: UnsafePointer<Int32>
    private let gsoEnds: UnsafePointer<Int32>
    private let routeTargets: UnsafePointer<UInt16>
    private let forwardLanes: UnsafePointer<Lane>
    private let returnLanes: UnsafePointer<Lane>
    /// Signals, counter rows and port states sit at cache-line strides so
    /// that reactors writing their own never share a line.
    private let signals: UnsafeMutableRawPointer
    private let counters: UnsafeMutableRawPointer
    private let states: UnsafeMutableRawPointer
    /// For each direct destination of a shared port, by its index in
    /// `routeTargets`: the batch of the port whose frames may be written to
    /// it next.
    private let turns: UnsafeMutableRawPointer
    static let signalStride = 128
    static let counterStride = 64
    static let stateStride = 128
    static let turnStride = 64

    var portCount: Int { ports.count }

    /// Every reactor, as a mask with one bit per reactor index.
    var allReactors: UInt64 { reactorCount >= 64 ? .max : (1 << UInt64(reactorCount)) - 1 }

    /// The ports that get a copy of each frame read from `port`.
    @inline(__always)
    func destinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        targets(from: Int(routeStarts[port]), to: Int(routeStarts[port + 1]))
    }

    /// Those of `destinations(of:)` that the reactor holding a frame writes
    /// to itself: ports that take direct writes, and take the frame as the
    /// source reads it (a tap with offloads sends GSO frames only to taps
    /// with a vnet header this way; the others get segments through lanes).
    @inline(__always)
    func directDestinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        targets(from: Int(routeStarts[port]), to: Int(directEnds[port]))
    }

    /// The rest: ports whose home reactor writes them, fed through lanes.
    @inline(__always)
    func laneDestinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        targets(from: Int(directEnds[port]), to: Int(routeStarts[port + 1]))
    }

    /// Those of `laneDestinations(of:)` that take a GSO frame, or one whose
    /// checksum is left to fill in, as it is: taps with a vnet header.
    @inline(__always)
    func gsoLaneDestinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        targets(from: Int(directEnds[port]), to: Int(gsoEnds[port]))
    }

    /// Those of `laneDestinations(of:)` that take plain frames only.
    @inline(__always)
    func plainLaneDestinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        targets(from: Int(gsoEnds[port]), to: Int(routeStarts[port + 1]))
    }

    @inline(__always)
    private func targets(from start: Int, to end: Int) -> UnsafeBufferPointer<UInt16> {
        UnsafeBufferPointer(start: routeTargets + start, count: end - start)
    }

    /// The lane that carries frames from reactor `producer` to `port`.
    @inline(__always)
    func forwardLane(from producer: Int, to port: Int) -> Lane {
        forwardLanes[producer * ports.count + port]
    }

    /// Counts the frames left in lanes to ports as dropped there: those a
    /// reactor published after the port's home reactor had stopped. Only
    /// once every reactor has stopped. Unless `countingNICs`, a NIC's lanes
    /// are left to the NIC, whose guest may still read from them.
    func dropFramesLeftInLanes(countingNICs: Bool) {
        for port in 0..<ports.count {
            if case .nic = ports[port].kind, !countingNICs { continue }
            for producer in 0..<reactorCount {
                let left = forwardLane(from: producer, to: port).unconsumedCount()
                if left > 0 { counters(of: ports[port].home, for: port).pointee.drops.bump(by: UInt64(left)) }
            }
        }
    }

    /// The lane that carries slots freed on reactor `releaser` back to `owner`.
    @inline(__always)
    func returnLane(from releaser: Int, to owner: Int) -> Lane {
        returnLanes[releaser * reactorCount + owner]
    }

    @inline(__always)
    func signals(of reactor: Int) -> UnsafeMutablePointer<ReactorSignals> {
        (signals + reactor * Self.signalStride).assumingMemoryBound(to: ReactorSignals.self)
    }

    /// What every reactor knows of `port`.
    @inline(__always)
    func state(of port: Int) -> UnsafeMutablePointer<PortState> {
        (states + port * Self.stateStride).assumingMemoryBound(to: PortState.self)
    }

    /// The batch of shared port `port` whose frames may be written next to
    /// its `destination`th direct destination.
    @inline(__always)
    func writeTurn(of port: Int, toward destination: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (turns + (Int(routeStarts[port]) + destination) * Self.turnStride).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// The counters reactor `reactor` keeps for `port`.
    @inline(__always)
    func counters(of reactor: Int, for port: Int) -> UnsafeMutablePointer<PortCounters> {
        (counters + (reactor * ports.count + port) * Self.counterStride).assumingMemoryBound(to: PortCounters.self)
    }

    /// The reactor whose share of the arena `slot` belongs to.
    @inline(__always)
    func owner(of slot: UInt32) -> Int {
        guard arena.isLarge(slot) else { return Int(slot) / slotsPerReactor }
        return Int(slot - arena.smallSlotCount) / largeSlotsPerReactor
    }

    /// The small slots of reactor `reactor`'s share of the arena.
    func slots(of reactor: Int) -> Range<UInt32> {
        UInt32(reactor * slotsPerReactor)..<UInt32((reactor + 1) * slotsPerReactor)
    }

    /// The large slots of reactor `reactor`'s share of the arena.
    func largeSlots(of reactor: Int) -> Range<UInt32> {
        let first = arena.smallSlotCount + UInt32(reactor * largeSlotsPerReactor)
        return first..<first + UInt32(largeSlotsPerReactor)
    }

    /// The arena's bytes, small slots and large, as the reactors register them.
    var arenaBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(
            start: arena.base,
            count: reactorCount * (slotsPerReactor * arena.slotSize + largeSlotsPerReactor * FrameArena.largeSlotSize))
    }

    /// Adds every reactor's counters for `port` to `totals`.
    func addCounters(for port: Int, to totals: inout PortStatistics) {
        for reactor in 0..<reactorCount {
            counters(of: reactor, for: port).pointee.add(to: &totals)
        }
    }
}

extension Fabric {
    /// Owns the memory behind a `Fabric`.
    package struct Storage: ~Copyable {
        package let fabric: Fabric
        private let memory: UnsafeMutableRawPointer
        private let portCopies: UnsafeMutableBufferPointer<PortDescription>

        package init(ports: [PortDescription], routes: [[Int]], reactorCount: Int, arena: ArenaView,
             slotsPerReactor: Int, largeSlotsPerReactor: Int = 0, laneCapacity: Int, doorbells: [Int32]) {
            let portCount = ports.count
            let returnCapacity = (slotsPerReactor + largeSlotsPerReactor).nextPowerOfTwo
            let forwardBytes = Lane.byteCount(capacity: laneCapacity)
            let returnBytes = Lane.byteCount(capacity: returnCapacity)
            // Each record must fit its stride, a cache line or two so that
            // reactors' records never share one.
            precondition(MemoryLayout<ReactorSignals>.size <= Fabric.signalStride, "ReactorSignals outgrew its stride")
            precondition(MemoryLayout<PortCounters>.size <= Fabric.counterStride, "PortCounters outgrew its stride")
            precondition(MemoryLayout<PortState>.size <= Fabric.stateStride, "PortState outgrew its stride")
            precondition(MemoryLayout<Atomic<UInt64>>.size <= Fabric.turnStride, "a write turn outgrew its stride")
            var layout = LayoutBuilder()
            let targetCount = routes.reduce(0) { $0 + $1.count }
            let startArray = layout.reserve(Int32.self, count: portCount + 1)
            let directArray = layout.reserve(Int32.self, count: portCount)
            let gsoArray = layout.reserve(Int32.self, count: portCount)
            let targetArray = layout.reserve(UInt16.self, count: targetCount)
            let forwardArray = layout.reserve(Lane.self, count: reactorCount * portCount)
            let returnArray = layout.reserve(Lane.self, count: reactorCount * reactorCount)
            let signalArray = layout.reserveBytes(Fabric.signalStride * reactorCount)
            let counterArray = layout.reserveBytes(Fabric.counterStride * reactorCount * portCount)
            let stateArray = layout.reserveBytes(Fabric.stateStride * portCount)
            let turnArray = layout.reserveBytes(Fabric.turnStride * targetCount)
            let forwardMemory = layout.reserveBytes(forwardBytes * reactorCount * portCount)
            let returnMemory = layout.reserveBytes(returnBytes * reactorCount * reactorCount)
            memory = .allocate(byteCount: layout.size, alignment: LayoutBuilder.alignment)

            let starts = (memory + startArray).bindMemory(to: Int32.self, capacity: portCount + 1)
            let directEnds = (memory + directArray).bindMemory(to: Int32.self, capacity: portCount)
            let gsoEnds = (memory + gsoArray).bindMemory(to: Int32.self, capacity: portCount)
            let targets = (memory + targetArray).bindMemory(to: UInt16.self, capacity: targetCount)
            var next = 0
            for (port, destinations) in routes.enumerated() {
                starts[port] = Int32(next)
                let direct = destinations.filter { Self.isDirect(from: ports[port], to: ports[$0]) }
                let lanes = destinations.filter { !direct.contains($0) }
                let gsoLanes = lanes.filter { ports[$0].takesGSOFrames }
                for destination in direct + gsoLanes + lanes.filter({ !ports[$0].takesGSOFrames }) {
                    targets[next] = UInt16(destination)
                    next += 1
                }
                directEnds[port] = starts[port] + Int32(direct.count)
                gsoEnds[port] = directEnds[port] + Int32(gsoLanes.count)
            }
            starts[portCount] = Int32(next)
            let forward = (memory + forwardArray).bindMemory(to: Lane.self, capacity: reactorCount * portCount)
            for index in 0..<reactorCount * portCount {
                (forward + index).initialize(
                    to: Lane(at: memory + forwardMemory + index * forwardBytes, capacity: laneCapacity))
            }
            let returns = (memory + returnArray).bindMemory(to: Lane.self, capacity: reactorCount * reactorCount)
            for index in 0..<reactorCount * reactorCount {
                (returns + index).initialize(
                    to: Lane(at: memory + returnMemory + index * returnBytes, capacity: returnCapacity))
            }
            for reactor in 0..<reactorCount {
                (memory + signalArray + reactor * Fabric.signalStride)
                    .initializeMemory(as: ReactorSignals.self, to: ReactorSignals(doorbell: doorbells[reactor]))
            }
            for index in 0..<reactorCount * portCount {
                (memory + counterArray + index * Fabric.counterStride)
                    .initializeMemory(as: PortCounters.self, to: PortCounters())
            }
            for port in 0..<portCount {
                (memory + stateArray + port * Fabric.stateStride).initializeMemory(as: PortState.self, to: PortState())
            }
            for target in 0..<targetCount {
                let turn = memory + turnArray + target * Fabric.turnStride
                turn.initializeMemory(as: Atomic<UInt64>.self, to: Atomic(0))
            }
            portCopies = .allocate(capacity: portCount)
            _ = portCopies.initialize(from: ports)
            for (port, destinations) in routes.enumerated() {
                if case .tap = ports[port].kind, destinations.count == 1 {
                    portCopies[port].readOnlyWhilePeerCanReceive = true
                }
                portCopies[port].readsShared = ports[port].mayShareReads && reactorCount > 1 && !destinations.isEmpty
                    && destinations.allSatisfy { Self.isDirect(from: ports[port], to: ports[$0]) }
                portCopies[port].reachesVnetHeaders = destinations.contains { ports[$0].vnetHeaderSize > 0 }
            }
            fabric = Fabric(
                reactorCount: reactorCount, ports: UnsafeBufferPointer(portCopies), arena: arena,
                slotsPerReactor: slotsPerReactor, largeSlotsPerReactor: largeSlotsPerReactor,
                routeStarts: starts, directEnds: directEnds, gsoEnds: gsoEnds, routeTargets: targets,
                forwardLanes: forward, returnLanes: returns,
                signals: memory + signalArray, counters: memory + counterArray, states: memory + stateArray,
                turns: memory + turnArray)
        }

        /// Whether frames from `source` go to `destination` as direct writes:
        /// the destination takes them, and takes the frame as the source
        /// reads it, GSO frames included.
        private static func isDirect(from source: PortDescription, to destination: PortDescription) -> Bool {
            destination.takesDirectWrites && (!source.hasOffloads || destination.takesGSOFrames)
        }

        deinit {
            // Lanes, signals, counters and port states hold nothing but
            // trivial values and atomics; the ports hold their NICs.
            memory.deallocate()
            _ = portCopies.deinitialize()
            portCopies.deallocate()
        }
    }
}

/// Carves one allocation into cache-line-aligned arrays.
private struct LayoutBuilder {
    static let alignment = 128
    private(set) var size = 0

    mutating func reserve<T>(_ type: T.Type, count: Int) -> Int {
        reserveBytes(MemoryLayout<T>.stride * count)
    }

    mutating func reserveBytes(_ bytes: Int) -> Int {
        let offset = size
        size += (bytes + Self.alignment - 1) / Self.alignment * Self.alignment
        return offset
    }
}

extension Int {
    /// The smallest power of two not below this positive value.
    var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
