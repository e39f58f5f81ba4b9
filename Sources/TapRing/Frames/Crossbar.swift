/// One reactor's end of the fabric: the lanes it fills toward every port, the
/// lanes it drains into its own ports, and its share of the arena's slots.
///
/// This is the hub's data path. A frame read on a port is appended to the
/// lane of every port the hub routes it to, with one slot reference per copy;
/// the reactor that owns a destination writes it and drops its reference;
/// the last reference sends the slot home to the reactor that owns it.
/// Nothing here allocates, locks or makes a system call.
struct Crossbar: ~Copyable {
    // The lane ends come first, as plain pointers: Swift 6.3's ThreadSanitizer
    // instrumentation of a mutating access to a noncopyable struct takes its
    // first word for an address, and emits invalid IR when it is not a pointer.
    /// Producer ends of the lanes from this reactor to every port, by port.
    private let outgoing: UnsafeMutablePointer<LaneProducer>
    /// Consumer ends of the lanes into this reactor's ports, by
    /// `producer * ports.count + local port`.
    private let incoming: UnsafeMutablePointer<LaneConsumer>
    /// Producer ends of the lanes returning freed slots to their owners, by owner.
    private let returning: UnsafeMutablePointer<LaneProducer>
    /// Consumer ends of the lanes bringing this reactor's slots back, by releaser.
    private let returned: UnsafeMutablePointer<LaneConsumer>
    let reactor: Int
    let fabric: Fabric
    /// The ports this reactor owns, by local index.
    let ports: UnsafeMutableBufferPointer<Int>
    /// This reactor's free slots, small and large.
    var pool: SlotPool
    var largePool: SlotPool

    init(reactor: Int, fabric: Fabric) {
        self.reactor = reactor
        self.fabric = fabric
        let owned = (0..<fabric.portCount).filter { fabric.ports[$0].home == reactor }
        ports = .allocate(capacity: owned.count)
        _ = ports.initialize(from: owned)
        outgoing = .allocate(capacity: fabric.portCount)
        for port in 0..<fabric.portCount {
            (outgoing + port).initialize(to: LaneProducer(fabric.forwardLane(from: reactor, to: port)))
        }
        incoming = .allocate(capacity: fabric.reactorCount * owned.count)
        for producer in 0..<fabric.reactorCount {
            for (local, port) in owned.enumerated() {
                (incoming + producer * owned.count + local)
                    .initialize(to: LaneConsumer(fabric.forwardLane(from: producer, to: port)))
            }
        }
        returning = .allocate(capacity: fabric.reactorCount)
        returned = .allocate(capacity: fabric.reactorCount)
        for peer in 0..<fabric.reactorCount {
            (returning + peer).initialize(to: LaneProducer(fabric.returnLane(from: reactor, to: peer)))
            (returned + peer).initialize(to: LaneConsumer(fabric.returnLane(from: peer, to: reactor)))
        }
        pool = SlotPool(fabric.slots(of: reactor))
        largePool = SlotPool(fabric.largeSlots(of: reactor))
    }

    deinit {
        ports.deallocate()
        outgoing.deallocate()
        incoming.deallocate()
        returning.deallocate()
        returned.deallocate()
    }

    /// Appends `frame`, read on `source`, to the lane of every port the hub
    /// routes it to, and counts a drop for each whose lane is full.
    ///
    /// Returns how many lanes took it; with none, the slot is already free
    /// again. Entries stay unpublished until `publishDeliveries()`, so the
    /// references are in place before any consumer can see the frame.
    @inline(__always)
    mutating func deliver(_ frame: Frame, from source: Int) -> Int {
        deliver(frame, from: source, to: fabric.destinations(of: source))
    }

    /// `deliver(_:from:)` to some of the source's destinations only.
    @inline(__always)
    mutating func deliver(_ frame: Frame, from source: Int, to destinations: UnsafeBufferPointer<UInt16>) -> Int {
        var accepted: UInt32 = 0
        var marked = frame
        marked.heldBack = fabric.ports[source].readOnlyWhilePeerCanReceive
        let entry = marked.packed
        for destination in destinations {
            let target = Int(destination)
            if outgoing[target].hasRoom() {
                outgoing[target].append(entry)
                accepted += 1
            } else {
                fabric.counters(of: reactor, for: target).pointee.drops.bump()
            }
        }
        if accepted > 0 {
            fabric.arena.setReferences(accepted, of: frame.slot)
        } else {
            free(frame.slot)
        }
        return Int(accepted)
    }

    /// How many frames from `source` the roomiest of its destinations' lanes
    /// can still take; unlimited for a port the hub routes nowhere.
    ///
    /// Reading no more than this is QEMU's rule: a source is held back only
    /// when no port can take from it, and then frames wait in the kernel
    /// instead of being read and dropped.
    mutating func room(from source: Int) -> Int {
        let destinations = fabric.destinations(of: source)
        guard !destinations.isEmpty else { return .max }
        var best = 0
        for destination in destinations {
            // A NIC with frames queued takes no more until a flush.
            if fabric.ports[Int(destination)].blocked?.pointee.load(ordering: .acquiring) == true { continue }
            best = max(best, outgoing[Int(destination)].room())
        }
        return best
    }

    /// Whether every NIC that frames from `source` go to has taken all this
    /// reactor gave it: a stream socket reads its next chunk only then, as
    /// QEMU's socket backend reads on only after the NIC took or queued the
    /// frames of the last chunk.
    mutating func nicsCaughtUp(from source: Int) -> Bool {
        for destination in fabric.destinations(of: source) where fabric.ports[Int(destination)].blocked != nil {
            let lane = Int(destination)
            if outgoing[lane].room() < outgoing[lane].lane.capacity { return false }
        }
        return true
    }

    /// The next frame `producer` queued for local port `local`.
    @inline(__always)
    mutating func nextFrame(for local: Int, from producer: Int) -> Frame? {
        incoming[producer * ports.count + local].next().map(Frame.init(packed:))
    }

    /// Whether any reactor published frames for local port `local`.
    mutating func hasQueuedFrames(for local: Int) -> Bool {
        for producer in 0..<fabric.reactorCount where incoming[producer * ports.count + local].hasEntries() {
            return true
        }
        return false
    }

    /// Drops one reference to `slot`; the last one frees it, into this
    /// reactor's pool or onto the lane home to the reactor that owns it.
    @inline(__always)
    mutating func release(_ slot: UInt32) {
        guard fabric.arena.release(slot) else { return }
        let owner = fabric.owner(of: slot)
        if owner == reactor {
            free(slot)
        } else {
            // A return lane holds as many entries as the owner has slots: it never fills.
            returning[owner].append(UInt64(slot))
        }
    }

    /// Puts one of this reactor's free slots back in its pool.
    @inline(__always)
    mutating func free(_ slot: UInt32) {
        if fabric.arena.isLarge(slot) { largePool.put(slot) } else { pool.put(slot) }
    }

    /// Takes back this reactor's slots that other reactors finished with.
    mutating func collectReturnedSlots() -> Int {
        var collected = 0
        for releaser in 0..<fabric.reactorCount where releaser != reactor {
            while let slot = returned[releaser].next() {
                free(UInt32(truncatingIfNeeded: slot))
                collected += 1
            }
        }
        return collected
    }

    /// Whether another reactor sent slots home that are not collected yet.
    mutating func hasReturnedSlots() -> Bool {
        for releaser in 0..<fabric.reactorCount where releaser != reactor && returned[releaser].hasEntries() {
            return true
        }
        return false
    }

    /// Makes this round's deliveries visible; returns the reactors that got
    /// any, as a bit set.
    mutating func publishDeliveries() -> UInt64 {
        var touched: UInt64 = 0
        for port in 0..<fabric.portCount where outgoing[port].publish() {
            touched |= 1 << fabric.ports[port].home
        }
        return touched
    }

    /// Hands back the room this round freed: lane entries consumed, and slots
    /// bound for their owners. Returns the reactors that gain room or slots.
    mutating func releaseConsumedRoom() -> UInt64 {
        var freed: UInt64 = 0
        for lane in 0..<fabric.reactorCount * ports.count where incoming[lane].release() {
            freed |= 1 << (lane / ports.count)
        }
        for releaser in 0..<fabric.reactorCount {
            _ = returned[releaser].release()
        }
        for owner in 0..<fabric.reactorCount where returning[owner].publish() {
            freed |= 1 << owner
        }
        return freed
    }
}
