import CLinux
import Glibc

/// An e1000 with the engine's per-frame path around it but no kernel and no
/// reactor thread: frames are written into arena slots and put on the NIC's
/// lane, and the caller plays the home reactor, servicing the NIC and taking
/// back what it sends and releases.
///
/// For tests that drive the NIC as a hostile guest would, and for the
/// benchmark of the receive path: arena → e1000 → guest RAM. It lives here,
/// not in TapRingHarness (whose `InMemoryNIC` wraps it), so that the loops
/// the benchmark times compile with the path they measure.
package final class InMemoryNICPath: @unchecked Sendable {
    package let nic: E1000
    package let arena: FrameArena
    private let channel: NICChannel
    private let laneMemory: UnsafeMutableRawPointer
    // One caller at a time (the class is the caller's stand-in for a
    // reactor), so the per-frame loops need no dynamic exclusivity checks.
    @exclusivity(unchecked) private var incoming: LaneProducer
    @exclusivity(unchecked) private var transmitted: LaneConsumer
    @exclusivity(unchecked) private var released: LaneConsumer
    @exclusivity(unchecked) private var spares: LaneProducer
    @exclusivity(unchecked) private var largeSpares: LaneProducer
    @exclusivity(unchecked) private var pool: SlotPool
    @exclusivity(unchecked) private var largePool: SlotPool
    /// The doorbell a NIC serviced from another thread rings, never read; or -1.
    private let doorbell: Int32
    /// With large slots, the vnet header before each frame `service()`
    /// returned last: what a tap with one would be given.
    package private(set) var transmittedHeaders: [[UInt8]] = []

    /// A NIC with MAC 52:54:00:12:34:56 on `memory`, whose lane holds
    /// `queueCapacity` frames, with `slotCount` slots of `slotSize` bytes;
    /// with `largeSlotCount` large slots besides, it sends its guest's TSO
    /// packets as GSO frames, as toward taps with a vnet header. When
    /// `servicedFromAnotherThread`, one thread services the NIC while others
    /// write its registers, as a reactor does: a doorbell that runs out of
    /// slots waits for `service()` to supply more.
    package init(memory: GuestMemory, interruptLine: InterruptLine, slotSize: Int = 2048, slotCount: Int = 4096,
                largeSlotCount: Int = 0, queueCapacity: Int = 1024, mitigation: Bool = true,
                servicedFromAnotherThread: Bool = false) throws {
        arena = try FrameArena(slotSize: slotSize, slotCount: slotCount, largeSlotCount: largeSlotCount)
        channel = NICChannel(queuedCapacity: queueCapacity, sendsGSOFrames: largeSlotCount > 0)
        laneMemory = .allocate(byteCount: Lane.byteCount(capacity: queueCapacity), alignment: 128)
        let lane = Lane(at: laneMemory, capacity: queueCapacity)
        incoming = LaneProducer(lane)
        transmitted = LaneConsumer(channel.transmitted)
        released = LaneConsumer(channel.released)
        spares = LaneProducer(channel.spares)
        largeSpares = LaneProducer(channel.largeSpares)
        pool = SlotPool(0..<UInt32(slotCount))
        largePool = SlotPool(UInt32(slotCount)..<UInt32(slotCount + largeSlotCount))
        nic = E1000(
            features: E1000Features(mac: MACAddress(0x52, 0x54, 0, 0x12, 0x34, 0x56), mitigation: mitigation),
            memory: memory, interruptLine: interruptLine, channel: channel, arena: arena.view)
        nic.connect(incoming: [lane])
        if servicedFromAnotherThread {
            doorbell = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
            guard doorbell >= 0 else { throw DeviceError("could not create the in-memory NIC's doorbell eventfd") }
            channel.attach(doorbell: doorbell)
        } else {
            doorbell = -1
        }
    }

    deinit {
        if doorbell >= 0 { close(doorbell) }
        laneMemory.deallocate()
    }

    /// Queues `frame` for the NIC; false when its lane or the arena is full.
    @discardableResult
    package func inject(_ frame: some Collection<UInt8>) -> Bool {
        guard incoming.hasRoom(), frame.count <= arena.slotSize - FrameArena.headroom, let slot = pool.take() else {
            return false
        }
        let queued = Frame(slot: slot, length: UInt32(frame.count))
        let bytes = UnsafeMutableRawBufferPointer(start: arena.view.bytes(of: queued), count: frame.count)
        _ = bytes.initializeMemory(as: UInt8.self, from: frame)
        incoming.append(queued.packed)
        _ = incoming.publish()
        return true
    }

    /// Queues `count` frames of `length` bytes from slots `fillSlots` filled,
    /// as a reactor queues frames it read; returns how many fit.
    package func injectFilled(count: Int, length: Int) -> Int {
        var queued = 0
        while queued < count, incoming.hasRoom(), let slot = pool.take() {
            incoming.append(Frame(slot: slot, length: UInt32(length)).packed)
            queued += 1
        }
        _ = incoming.publish()
        return queued
    }

    /// Writes `frame` into every slot, for `injectFilled`.
    package func fillSlots(with frame: [UInt8]) {
        for slot in 0..<UInt32(arena.slotCount) {
            frame.withUnsafeBytes {
                arena.view.bytes(of: Frame(slot: slot, length: 0))
                    .copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        }
    }

    /// Plays the home reactor once, at `now` on the monotonic clock (later
    /// than now to run timers early): spare slots in (never more than half
    /// the free ones, so that frames can still be injected), arrivals and
    /// timers serviced, sent frames collected, released slots taken back.
    @discardableResult
    package func service(now: UInt64? = nil) -> [[UInt8]] {
        while spares.hasRoom(), pool.count > arena.slotCount / 2, let slot = pool.take() {
            spares.append(UInt64(slot))
        }
        _ = spares.publish()
        while largeSpares.hasRoom(), let slot = largePool.take() {
            largeSpares.append(UInt64(slot))
        }
        _ = largeSpares.publish()
        _ = nic.serviceFromReactor(now: now ?? monotonicNanoseconds())
        var sent: [[UInt8]] = []
        transmittedHeaders.removeAll()
        while let entry = transmitted.next() {
            let frame = Frame(packed: entry)
            let bytes = arena.view.bytes(of: frame)
            sent.append(Array(UnsafeRawBufferPointer(start: bytes, count: Int(frame.length))))
            if channel.sendsGSOFrames {
                let header = bytes - TapDevice.vnetHeaderBytes
                transmittedHeaders.append(
                    Array(UnsafeRawBufferPointer(start: header, count: TapDevice.vnetHeaderBytes)))
            }
            put(frame.slot)
        }
        reclaim()
        _ = transmitted.release()
        return sent
    }

    /// Takes back the slots the NIC is done with.
    package func reclaim() {
        while let slot = released.next() {
            put(UInt32(truncatingIfNeeded: slot))
        }
        _ = released.release()
    }

    private func put(_ slot: UInt32) {
        if arena.view.isLarge(slot) { largePool.put(slot) } else { pool.put(slot) }
    }

    /// The free slots: every slot, once the NIC holds none.
    package var freeSlots: Int { pool.count }
}
