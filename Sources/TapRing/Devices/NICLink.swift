import Glibc
import Synchronization

/// The memory a NIC shares with its home reactor: the lanes that carry
/// frames the NIC sends, slots it is done with, and spare slots for it to
/// fill, small ones and large; the flag that tells sources the NIC has
/// frames queued that it could not take; and the reactor's doorbell.
package final class NICChannel: @unchecked Sendable {
    static let transmitCapacity = 1024
    static let spareCapacity = 256
    static let largeSpareCapacity = 8

    package let transmitted: Lane
    package let released: Lane
    package let spares: Lane
    /// Large slots, for a NIC that `sendsGSOFrames`, to gather a TSO packet whole.
    package let largeSpares: Lane
    /// Every port the NIC's frames go to takes GSO frames (taps with a vnet
    /// header): a guest's TSO packet leaves as one GSO frame, not segments.
    package let sendsGSOFrames: Bool
    /// QEMU's "the NIC's queue is not empty": its sources stop reading.
    let blocked: UnsafeMutablePointer<Atomic<Bool>>
    /// The eventfd that wakes the home reactor; -1 while no reactor runs the NIC.
    private let doorbell = Atomic<Int32>(-1)
    /// Set for good once the home reactor stopped: nobody takes the lanes'
    /// frames or slots any more, so the NIC leaves them alone.
    private let stopped = Atomic<Bool>(false)
    private let memory: UnsafeMutableRawPointer

    /// Lanes sized so that `released` holds every frame the NIC's port lanes
    /// can queue (`queuedCapacity`), with room to spare for slots it builds
    /// frames in but does not send.
    package init(queuedCapacity: Int, sendsGSOFrames: Bool = false) {
        let releasedCapacity = (queuedCapacity + 2 * (Self.spareCapacity + Self.largeSpareCapacity)).nextPowerOfTwo
        let capacities = [Self.transmitCapacity, releasedCapacity, Self.spareCapacity, Self.largeSpareCapacity]
        let sizes = capacities.map(Lane.byteCount(capacity:))
        memory = .allocate(byteCount: sizes.reduce(128, +), alignment: 128)
        var next = memory
        transmitted = Lane(at: next, capacity: capacities[0])
        next += sizes[0]
        released = Lane(at: next, capacity: capacities[1])
        next += sizes[1]
        spares = Lane(at: next, capacity: capacities[2])
        next += sizes[2]
        largeSpares = Lane(at: next, capacity: capacities[3])
        next += sizes[3]
        blocked = next.bindMemory(to: Atomic<Bool>.self, capacity: 1)
        blocked.initialize(to: Atomic(false))
        self.sendsGSOFrames = sendsGSOFrames
    }

    deinit {
        memory.deallocate()
    }

    /// Called by the engine when the NIC's home reactor starts.
    package func attach(doorbell descriptor: Int32) {
        doorbell.store(descriptor, ordering: .releasing)
    }

    /// Called by the engine when the NIC's home reactor stopped for good.
    func detach() {
        stopped.store(true, ordering: .releasing)
        doorbell.store(-1, ordering: .releasing)
    }

    /// Whether a reactor on another thread services the NIC's lanes.
    var hasReactor: Bool { doorbell.load(ordering: .acquiring) >= 0 }

    /// Whether the engine stopped: frames the guest sends after that are dropped.
    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    /// Wakes the home reactor, if one runs.
    ///
    /// The corresponding C function is `write`, of 8 bytes to an eventfd.
    func ringReactor() {
        let descriptor = doorbell.load(ordering: .acquiring)
        guard descriptor >= 0 else { return }
        EventCounter(descriptor: descriptor).signal()
    }
}

/// The NIC's end of its channel and of the lanes into its port. Used only
/// under the NIC's lock, by whichever thread holds it.
struct NICLink: ~Copyable {
    /// Consumer ends of the lanes that bring frames to the NIC, one per producer.
    private let incoming: UnsafeMutablePointer<LaneConsumer>
    private let producers: Int
    private var producer = 0
    private var transmitted: LaneProducer
    private var released: LaneProducer
    private var spares: LaneConsumer
    private var largeSpares: LaneConsumer
    let channel: NICChannel
    let arena: ArenaView
    /// Bytes a frame may have in one slot.
    let slotCapacity: Int

    init(channel: NICChannel, incoming lanes: [Lane], arena: ArenaView) {
        producers = lanes.count
        incoming = .allocate(capacity: max(1, lanes.count))
        for (index, lane) in lanes.enumerated() {
            (incoming + index).initialize(to: LaneConsumer(lane))
        }
        transmitted = LaneProducer(channel.transmitted)
        released = LaneProducer(channel.released)
        spares = LaneConsumer(channel.spares)
        largeSpares = LaneConsumer(channel.largeSpares)
        self.channel = channel
        self.arena = arena
        slotCapacity = arena.slotSize - FrameArena.headroom
    }

    deinit {
        incoming.deallocate()
    }

    /// Whether the NIC's queue holds frames it could not take.
    var isBlocked: Bool { channel.blocked.pointee.load(ordering: .relaxed) }

    func setBlocked(_ blocked: Bool) {
        channel.blocked.pointee.store(blocked, ordering: .releasing)
    }

    /// Frames waiting for the NIC, oldest first and left queued: a run from
    /// one producer's lane, no longer than the released lane can take back
    /// while keeping room for the spares the NIC may give back. Empty when
    /// none wait, or while the reactor has not yet taken back earlier slots.
    mutating func arrivals() -> UnsafeBufferPointer<UInt64> {
        let room = released.room() - NICChannel.spareCapacity
        guard room > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        for step in 0..<producers {
            let lane = (producer + step) % producers
            let run = incoming[lane].pending(upTo: room)
            if !run.isEmpty {
                producer = lane
                return run
            }
        }
        return UnsafeBufferPointer(start: nil, count: 0)
    }

    /// Whether frames wait on any lane into the NIC.
    mutating func hasArrivals() -> Bool {
        for lane in 0..<producers where incoming[lane].hasEntries() {
            return true
        }
        return false
    }

    /// Takes the first `count` frames of `run`, the last `arrivals()`, off
    /// their lane and gives their slots back; the next run comes from the
    /// next producer, so that no source starves the others.
    mutating func consume(_ count: Int, of run: UnsafeBufferPointer<UInt64>) {
        for entry in run.prefix(count) {
            released.append(UInt64(Frame(packed: entry).slot))
        }
        incoming[producer].take(count)
        producer = (producer + 1) % producers
    }

    /// Whether the reactor has supplied `count` spare slots, and room to
    /// send as many frames.
    mutating func canSupply(_ count: Int) -> Bool {
        spares.hasEntries(atLeast: count) && transmitted.hasRoom(for: count)
    }

    /// A free slot to build a frame in, or nil when the reactor has none to
    /// spare or has stopped.
    mutating func takeSpareSlot() -> UInt32? {
        guard !channel.isStopped else { return nil }
        return spares.next().map { UInt32(truncatingIfNeeded: $0) }
    }

    /// A free large slot to gather a TSO packet in whole, or nil when the
    /// reactor has none to spare or has stopped.
    mutating func takeLargeSpareSlot() -> UInt32? {
        guard !channel.isStopped else { return nil }
        return largeSpares.next().map { UInt32(truncatingIfNeeded: $0) }
    }

    /// Gives back a slot the NIC took but did not send. The reactor releases
    /// what comes back on this lane, so the slot gets the one reference it drops.
    mutating func giveBack(_ slot: UInt32) {
        arena.setReferences(1, of: slot)
        released.append(UInt64(slot))
    }

    /// Sends `frame` out of the NIC's port; false when the reactor has not
    /// caught up with the frames sent before (the slot is given back), or
    /// has stopped (the slot stays with the arena, which nobody fills now).
    mutating func send(_ frame: Frame) -> Bool {
        guard !channel.isStopped else { return false }
        guard transmitted.hasRoom() else {
            giveBack(frame.slot)
            return false
        }
        transmitted.append(frame.packed)
        return true
    }

    /// Makes this round's frames, releases and consumption visible to the
    /// reactor and to the sources; true if there was any.
    mutating func publish() -> Bool {
        var published = transmitted.publish()
        published = released.publish() || published
        for lane in 0..<producers {
            published = incoming[lane].release() || published
        }
        published = largeSpares.release() || published
        return spares.release() || published
    }
}
