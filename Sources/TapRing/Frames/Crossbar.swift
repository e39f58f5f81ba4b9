/// One reactor's end of the fabric: the outboxes of the frames it writes to
/// ports itself, the lanes it fills toward the other ports, the lanes it
/// drains into its own ports, and its share of the arena's slots.
///
/// This is the hub's data path. A frame read on a port goes, with one slot
/// reference per copy, to the outbox of its source once for every port the
/// hub routes it to that takes direct writes (the reactor writes those
/// itself, from the same slot), and to the lane of every other such port,
/// whose home reactor writes it and drops its reference; the last reference
/// sends the slot home to the reactor that owns it. Nothing here allocates,
/// locks or makes a system call.
package struct Crossbar: ~Copyable {
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
    /// Frames waiting for this reactor to write them to their source's
    /// direct destinations, by source port; empty for other ports.
    private let outboxes: UnsafeMutablePointer<Outbox>
    let reactor: Int
    let fabric: Fabric
    /// The ports this reactor owns, by local index.
    package let ports: UnsafeMutableBufferPointer<Int>
    /// The local index of each port this reactor owns, by port; -1 for others.
    private let locals: UnsafeMutableBufferPointer<Int>
    /// This reactor's free slots, small and large.
    package var pool: SlotPool
    var largePool: SlotPool
    /// Which of this reactor's large slots hold a frame that waits in a
    /// lane, by slot from the first; how many do; and how many may. A port
    /// that stops taking jumbo frames holds no more than that, and reads,
    /// which need large slots, go on.
    private let largeSlotsInLanes: UnsafeMutableBufferPointer<Bool>
    private var largeSlotsInLanesCount = 0
    private let largeSlotsForLanes: Int

    /// A crossbar with an outbox of `outboxCapacity` frames for each of
    /// `directSources`, the ports whose frames this reactor writes to direct
    /// destinations, and at most `largeSlotsForLanes` large slots in lanes.
    package init(reactor: Int, fabric: Fabric, outboxCapacity: Int = 0, directSources: [Int] = [],
         largeSlotsForLanes: Int = .max) {
        self.reactor = reactor
        self.fabric = fabric
        self.largeSlotsForLanes = largeSlotsForLanes
        largeSlotsInLanes = .allocate(capacity: fabric.largeSlotsPerReactor)
        largeSlotsInLanes.initialize(repeating: false)
        let owned = (0..<fabric.portCount).filter { fabric.ports[$0].home == reactor }
        ports = .allocate(capacity: owned.count)
        _ = ports.initialize(from: owned)
        locals = .allocate(capacity: fabric.portCount)
        locals.initialize(repeating: -1)
        for (local, port) in owned.enumerated() {
            locals[port] = local
        }
        outboxes = .allocate(capacity: fabric.portCount)
        for port in 0..<fabric.portCount {
            (outboxes + port).initialize(to: Outbox(capacity: directSources.contains(port) ? outboxCapacity : 0))
        }
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
        for port in 0..<fabric.portCount {
            outboxes[port].deallocate()
        }
        outboxes.deallocate()
        locals.deallocate()
        largeSlotsInLanes.deallocate()
        ports.deallocate()
        outgoing.deallocate()
        incoming.deallocate()
        returning.deallocate()
        returned.deallocate()
    }

    /// Hands `frame`, read on `source`, to every port the hub routes it to:
    /// to the outbox for the direct destinations, and to the lane of every
    /// other, in a small slot of its own when the frame sits in a large one
    /// and fits a small one, so that a port that stops taking frames holds
    /// small slots, never the large ones every read needs. Counts a drop for
    /// each destination that finds no room.
    ///
    /// Returns how many destinations took it; with none, the slot is already
    /// free again. Lane entries stay unpublished until `publishDeliveries()`,
    /// so the references are in place before any consumer can see the frame.
    @inline(__always)
    package mutating func deliver(_ frame: Frame, from source: Int) -> Int {
        var references = queueDirectWrites(frame, from: source)
        var copies = references
        let lanes = fabric.laneDestinations(of: source)
        if !lanes.isEmpty {
            if fabric.arena.isLarge(frame.slot), Int(frame.length) <= fabric.arena.slotSize - Int(frame.offset),
                let copy = pool.take()
            {
                fabric.arena.start(of: copy).copyMemory(
                    from: fabric.arena.start(of: frame.slot), byteCount: Int(frame.offset) + Int(frame.length))
                var small = frame
                small.slot = copy
                copies += deliver(small, from: source, toLanes: lanes)
            } else {
                references += append(frame, from: source, to: lanes)
                copies = references
            }
        }
        settle(frame.slot, references: references)
        return Int(copies)
    }

    /// Hands `frame` as it is to the source's direct destinations and to the
    /// lanes of those that take GSO frames: a GSO frame, or one whose
    /// checksum is left to fill in, whose segments go to the others.
    @inline(__always)
    mutating func deliverWhole(_ frame: Frame, from source: Int) -> Int {
        let references = queueDirectWrites(frame, from: source)
            + append(frame, from: source, to: fabric.gsoLaneDestinations(of: source))
        settle(frame.slot, references: references)
        return Int(references)
    }

    /// Appends `frame`, a slot of its own, to the lanes of `destinations`
    /// only; returns how many took it.
    @inline(__always)
    mutating func deliver(_ frame: Frame, from source: Int, toLanes destinations: UnsafeBufferPointer<UInt16>)
        -> UInt32
    {
        let accepted = append(frame, from: source, to: destinations)
        settle(frame.slot, references: accepted)
        return accepted
    }

    /// Puts `frame` in the source's outbox, a reference for each direct
    /// destination; returns how many references that takes.
    @inline(__always)
    private mutating func queueDirectWrites(_ frame: Frame, from source: Int) -> UInt32 {
        let destinations = fabric.directDestinations(of: source)
        guard !destinations.isEmpty else { return 0 }
        guard outboxes[source].append(frame.packed) else {
            for destination in destinations {
                fabric.counters(of: reactor, for: Int(destination)).pointee.drops.bump()
            }
            return 0
        }
        return UInt32(destinations.count)
    }

    /// Appends `frame` to the lanes of `destinations`; returns how many took it.
    @inline(__always)
    private mutating func append(_ frame: Frame, from source: Int, to destinations: UnsafeBufferPointer<UInt16>)
        -> UInt32
    {
        var accepted: UInt32 = 0
        var marked = frame
        marked.heldBack = fabric.ports[source].readOnlyWhilePeerCanReceive
        let entry = marked.packed
        let large = fabric.arena.isLarge(frame.slot)
        let held = large && largeSlotsInLanesCount >= largeSlotsForLanes
        for destination in destinations {
            let target = Int(destination)
            if !held && outgoing[target].hasRoom() {
                outgoing[target].append(entry)
                accepted += 1
            } else {
                fabric.counters(of: reactor, for: target).pointee.drops.bump()
                Trace.point(.hub, "port \(target) dropped a frame from port \(source): its queue is full")
            }
        }
        if large && accepted > 0 {
            let index = Int(frame.slot - fabric.largeSlots(of: reactor).lowerBound)
            if !largeSlotsInLanes[index] {
                largeSlotsInLanes[index] = true
                largeSlotsInLanesCount += 1
            }
        }
        return accepted
    }

    /// Gives a freshly filled slot its references, or frees it with none.
    @inline(__always)
    private mutating func settle(_ slot: UInt32, references: UInt32) {
        if references > 0 {
            fabric.arena.setReferences(references, of: slot)
        } else {
            free(slot)
        }
    }

    /// The frames waiting in `source`'s outbox, oldest first.
    @inline(__always)
    func outbox(of source: Int) -> UnsafeBufferPointer<UInt64> {
        outboxes[source].entries
    }

    @inline(__always)
    func outboxCount(of source: Int) -> Int {
        outboxes[source].count
    }

    /// How many more frames `source`'s outbox takes.
    @inline(__always)
    func outboxRoom(of source: Int) -> Int {
        outboxes[source].capacity - outboxes[source].count
    }

    /// Empties `source`'s outbox once its frames' writes are queued.
    @inline(__always)
    mutating func emptyOutbox(of source: Int) {
        outboxes[source].count = 0
    }

    /// The local index of `port`, if this reactor owns it.
    @inline(__always)
    func local(of port: Int) -> Int? {
        let local = locals[port]
        return local < 0 ? nil : local
    }

    /// How many frames from `source` the roomiest of its destinations' lanes
    /// can still take; unlimited for a port the hub routes nowhere.
    ///
    /// Reading no more than this is QEMU's rule: a source is held back only
    /// when no port can take from it, and then frames wait in the kernel
    /// instead of being read and dropped.
    mutating func room(from source: Int) -> Int {
        let destinations = fabric.laneDestinations(of: source)
        guard fabric.directDestinations(of: source).isEmpty else { return outboxRoom(of: source) }
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
    package mutating func nextFrame(for local: Int, from producer: Int) -> Frame? {
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
    package mutating func release(_ slot: UInt32) {
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
        guard fabric.arena.isLarge(slot) else { return pool.put(slot) }
        let index = Int(slot - fabric.largeSlots(of: reactor).lowerBound)
        if largeSlotsInLanes[index] {
            largeSlotsInLanes[index] = false
            largeSlotsInLanesCount -= 1
        }
        largePool.put(slot)
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
    package mutating func publishDeliveries() -> UInt64 {
        var touched: UInt64 = 0
        for port in 0..<fabric.portCount where outgoing[port].publish() {
            touched |= 1 << fabric.ports[port].home
        }
        return touched
    }

    /// Hands back the room this round freed: lane entries consumed, and slots
    /// bound for their owners. Returns the reactors that gain room or slots.
    package mutating func releaseConsumedRoom() -> UInt64 {
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

/// Frames a reactor delivered from one port and writes to the port's direct
/// destinations itself, as one batch, in the order they came.
struct Outbox {
    private let storage: UnsafeMutablePointer<UInt64>?
    let capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = capacity > 0 ? .allocate(capacity: capacity) : nil
    }

    func deallocate() {
        storage?.deallocate()
    }

    var entries: UnsafeBufferPointer<UInt64> {
        UnsafeBufferPointer(start: storage, count: count)
    }

    /// Appends `entry`; false when the outbox is full.
    @inline(__always)
    mutating func append(_ entry: UInt64) -> Bool {
        guard count < capacity, let storage else { return false }
        storage[count] = entry
        count += 1
        return true
    }
}
