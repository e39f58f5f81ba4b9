import Synchronization

/// Everything the reactors share, laid out once before they start: the
/// arena, who owns which port, the hub's routes, the lanes between reactors,
/// the reactors' signals and the per-port counters.
///
/// Unchecked `Sendable`: the layout never changes while reactors run; each
/// lane has one producer and one consumer; every counter row has one writer;
/// signals are atomics.
struct Fabric: @unchecked Sendable {
    let reactorCount: Int
    let ports: UnsafeBufferPointer<PortDescription>
    let arena: ArenaView
    /// Each reactor's share of the small slots, and of the large ones.
    let slotsPerReactor: Int
    let largeSlotsPerReactor: Int
    private let routeStarts: UnsafePointer<Int32>
    /// Where, in each port's destinations, those that take GSO frames as
    /// they are (taps with a vnet header, which come first) end.
    private let routeSplits: UnsafePointer<Int32>
    private let routeTargets: UnsafePointer<UInt16>
    private let forwardLanes: UnsafePointer<Lane>
    private let returnLanes: UnsafePointer<Lane>
    /// Signals and counter rows sit at cache-line strides so that reactors
    /// writing their own never share a line.
    private let signals: UnsafeMutableRawPointer
    private let counters: UnsafeMutableRawPointer
    static let signalStride = 128
    static let counterStride = 64

    var portCount: Int { ports.count }

    /// Every reactor, as a mask with one bit per reactor index.
    var allReactors: UInt64 { reactorCount >= 64 ? .max : (1 << UInt64(reactorCount)) - 1 }

    /// The ports that get a copy of each frame read from `port`.
    @inline(__always)
    func destinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        let start = Int(routeStarts[port])
        return UnsafeBufferPointer(start: routeTargets + start, count: Int(routeStarts[port + 1]) - start)
    }

    /// Those of `destinations(of:)` that take a GSO frame, or one whose
    /// checksum is left to fill in, as it is: taps with a vnet header.
    @inline(__always)
    func gsoDestinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        let start = Int(routeStarts[port])
        return UnsafeBufferPointer(start: routeTargets + start, count: Int(routeSplits[port]) - start)
    }

    /// The rest: ports that take plain frames only.
    @inline(__always)
    func plainDestinations(of port: Int) -> UnsafeBufferPointer<UInt16> {
        let split = Int(routeSplits[port])
        return UnsafeBufferPointer(start: routeTargets + split, count: Int(routeStarts[port + 1]) - split)
    }

    /// The lane that carries frames from reactor `producer` to `port`.
    @inline(__always)
    func forwardLane(from producer: Int, to port: Int) -> Lane {
        forwardLanes[producer * ports.count + port]
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
    struct Storage: ~Copyable {
        let fabric: Fabric
        private let memory: UnsafeMutableRawPointer
        private let portCopies: UnsafeMutableBufferPointer<PortDescription>

        init(ports: [PortDescription], routes: [[Int]], reactorCount: Int, arena: ArenaView,
             slotsPerReactor: Int, largeSlotsPerReactor: Int = 0, laneCapacity: Int, doorbells: [Int32]) {
            let portCount = ports.count
            let returnCapacity = (slotsPerReactor + largeSlotsPerReactor).nextPowerOfTwo
            let forwardBytes = Lane.byteCount(capacity: laneCapacity)
            let returnBytes = Lane.byteCount(capacity: returnCapacity)
            var layout = LayoutBuilder()
            let targetCount = routes.reduce(0) { $0 + $1.count }
            let startArray = layout.reserve(Int32.self, count: portCount + 1)
            let splitArray = layout.reserve(Int32.self, count: portCount)
            let targetArray = layout.reserve(UInt16.self, count: targetCount)
            let forwardArray = layout.reserve(Lane.self, count: reactorCount * portCount)
            let returnArray = layout.reserve(Lane.self, count: reactorCount * reactorCount)
            let signalArray = layout.reserveBytes(Fabric.signalStride * reactorCount)
            let counterArray = layout.reserveBytes(Fabric.counterStride * reactorCount * portCount)
            let forwardMemory = layout.reserveBytes(forwardBytes * reactorCount * portCount)
            let returnMemory = layout.reserveBytes(returnBytes * reactorCount * reactorCount)
            memory = .allocate(byteCount: layout.size, alignment: LayoutBuilder.alignment)

            let starts = (memory + startArray).bindMemory(to: Int32.self, capacity: portCount + 1)
            let splits = (memory + splitArray).bindMemory(to: Int32.self, capacity: portCount)
            let targets = (memory + targetArray).bindMemory(to: UInt16.self, capacity: targetCount)
            var next = 0
            for (port, destinations) in routes.enumerated() {
                starts[port] = Int32(next)
                let takesGSO = destinations.filter { ports[$0].takesGSOFrames }
                for destination in takesGSO + destinations.filter({ !ports[$0].takesGSOFrames }) {
                    targets[next] = UInt16(destination)
                    next += 1
                }
                splits[port] = starts[port] + Int32(takesGSO.count)
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
            portCopies = .allocate(capacity: portCount)
            _ = portCopies.initialize(from: ports)
            for (port, destinations) in routes.enumerated() {
                if case .tap = ports[port].kind, destinations.count == 1 {
                    portCopies[port].readOnlyWhilePeerCanReceive = true
                }
            }
            fabric = Fabric(
                reactorCount: reactorCount, ports: UnsafeBufferPointer(portCopies), arena: arena,
                slotsPerReactor: slotsPerReactor, largeSlotsPerReactor: largeSlotsPerReactor, routeStarts: starts, routeSplits: splits, routeTargets: targets, forwardLanes: forward, returnLanes: returns,
                signals: memory + signalArray, counters: memory + counterArray)
        }

        deinit {
            // Lanes, signals and counters hold nothing but trivial values and
            // atomics; the ports hold their NICs.
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
