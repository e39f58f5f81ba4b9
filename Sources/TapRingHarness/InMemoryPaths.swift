import TapRing

/// The engine's per-frame path with the kernel taken out: frames are filled in
/// the arena as a tap read would fill them, fanned out through the hub's
/// lanes, and released as the writes would release them. For the benchmark
/// suite, which measures frames per second and allocations (there must be
/// none) on one reactor. The loop runs inside TapRing (`InMemoryHubPath`).
public struct InMemoryHub: ~Copyable {
    private var path: InMemoryHubPath

    /// A hub of `ports` ports on one reactor, fed frames of `frameLength`
    /// bytes through port 0.
    public init(ports: Int, frameLength: Int, slotCount: Int = 8192, queueCapacity: Int = 1024) throws {
        path = try InMemoryHubPath(
            ports: ports, frameLength: frameLength, slotCount: slotCount, queueCapacity: queueCapacity)
    }

    /// Moves `count` frames in batches of `batch`; returns the frame copies
    /// written.
    public mutating func forward(_ count: Int, batch: Int = 64) -> Int {
        path.forward(count, batch: batch)
    }
}

/// An e1000 with the engine's per-frame path around it but no kernel and no
/// reactor thread: the caller plays the home reactor. For tests that drive
/// the NIC as a hostile guest would, and for the benchmark of the receive
/// path (arena → e1000 → guest RAM). The work runs inside TapRing
/// (`InMemoryNICPath`, which documents each call).
public final class InMemoryNIC: @unchecked Sendable {
    private let path: InMemoryNICPath
    public var nic: E1000 { path.nic }
    /// With large slots, the vnet header before each frame `service()`
    /// returned last.
    public var transmittedHeaders: [[UInt8]] { path.transmittedHeaders }
    /// The free slots: every slot, once the NIC holds none.
    public var freeSlots: Int { path.freeSlots }
    /// The arena the injected frames are written into: its memory, and how
    /// it is cut into slots.
    package var arena: (memory: UnsafeMutableRawBufferPointer, slotSize: Int, largeSlotCount: Int) {
        (path.arena.memory, path.arena.slotSize, path.arena.largeSlotCount)
    }

    /// A NIC with MAC 52:54:00:12:34:56 on `memory`; see `InMemoryNICPath`.
    public init(memory: GuestMemory, interruptLine: InterruptLine, slotSize: Int = 2048, slotCount: Int = 4096,
                largeSlotCount: Int = 0, queueCapacity: Int = 1024, mitigation: Bool = true,
                servicedFromAnotherThread: Bool = false) throws {
        path = try InMemoryNICPath(
            memory: memory, interruptLine: interruptLine, slotSize: slotSize, slotCount: slotCount,
            largeSlotCount: largeSlotCount, queueCapacity: queueCapacity, mitigation: mitigation,
            servicedFromAnotherThread: servicedFromAnotherThread)
    }

    /// Queues `frame` for the NIC; false when its lane or the arena is full.
    @discardableResult
    public func inject(_ frame: some Collection<UInt8>) -> Bool { path.inject(frame) }

    /// Queues `count` frames of `length` bytes from slots `fillSlots` filled;
    /// returns how many fit.
    public func injectFilled(count: Int, length: Int) -> Int { path.injectFilled(count: count, length: length) }

    /// Writes `frame` into every slot, for `injectFilled`.
    public func fillSlots(with frame: [UInt8]) { path.fillSlots(with: frame) }

    /// Plays the home reactor once, at `now` on the monotonic clock; returns
    /// the frames the NIC sent.
    @discardableResult
    public func service(now: UInt64? = nil) -> [[UInt8]] { path.service(now: now) }

    /// Takes back the slots the NIC is done with.
    public func reclaim() { path.reclaim() }
}

/// Nanoseconds on the monotonic clock, which NIC timers run on.
public func monotonicClock() -> UInt64 {
    monotonicNanoseconds()
}
