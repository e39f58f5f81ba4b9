import Synchronization

/// A bounded single-producer, single-consumer queue of 64-bit entries in
/// memory shared by two reactors: frames on their way to a port, or slots on
/// their way home.
///
/// The producer and the consumer each keep their own position and a cached
/// copy of the other's, and publish theirs once per batch, so a lane costs
/// one cache-line transfer per batch rather than per frame.
package struct Lane: @unchecked Sendable {
    /// Bytes of a lane's shared header: the published tail and head, each on
    /// a cache line of its own.
    static let headerSize = 128

    private let base: UnsafeMutableRawPointer
    let capacity: Int

    /// Lays a lane out at `base`, which must hold `byteCount(capacity:)` bytes
    /// aligned to 128.
    package init(at base: UnsafeMutableRawPointer, capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "lane capacity must be a power of two")
        self.base = base
        self.capacity = capacity
        base.initializeMemory(as: Atomic<Int>.self, to: Atomic(0))
        (base + 64).initializeMemory(as: Atomic<Int>.self, to: Atomic(0))
    }

    package static func byteCount(capacity: Int) -> Int {
        headerSize + capacity * MemoryLayout<UInt64>.stride
    }

    /// Whether the producer published entries the consumer has not released,
    /// as seen from a third thread.
    func hasUnconsumedEntries() -> Bool {
        unconsumedCount() != 0
    }

    /// How many entries the producer published that the consumer has not
    /// released, as seen from a third thread.
    func unconsumedCount() -> Int {
        publishedTail.pointee.load(ordering: .acquiring) - publishedHead.pointee.load(ordering: .acquiring)
    }

    @inline(__always)
    fileprivate var publishedTail: UnsafeMutablePointer<Atomic<Int>> {
        base.assumingMemoryBound(to: Atomic<Int>.self)
    }

    @inline(__always)
    fileprivate var publishedHead: UnsafeMutablePointer<Atomic<Int>> {
        (base + 64).assumingMemoryBound(to: Atomic<Int>.self)
    }

    @inline(__always)
    fileprivate func entry(_ position: Int) -> UnsafeMutablePointer<UInt64> {
        (base + Self.headerSize).assumingMemoryBound(to: UInt64.self) + (position & (capacity - 1))
    }
}

/// The producing end of a lane, kept by the producing reactor.
package struct LaneProducer {
    let lane: Lane
    private var tail = 0
    private var published = 0
    private var knownHead = 0

    package init(_ lane: Lane) {
        self.lane = lane
    }

    /// Whether `count` more entries fit; looks at the consumer's head only
    /// when the cached one says they do not.
    @inline(__always)
    package mutating func hasRoom(for count: Int = 1) -> Bool {
        if tail - knownHead + count <= lane.capacity { return true }
        knownHead = lane.publishedHead.pointee.load(ordering: .acquiring)
        return tail - knownHead + count <= lane.capacity
    }

    /// How many more entries fit, after a fresh look at the consumer's head.
    @inline(__always)
    mutating func room() -> Int {
        knownHead = lane.publishedHead.pointee.load(ordering: .acquiring)
        return lane.capacity - (tail - knownHead)
    }

    /// Appends an entry the consumer will see after the next `publish()`.
    /// Call only after `hasRoom()` said yes.
    @inline(__always)
    package mutating func append(_ value: UInt64) {
        // The consumer's head only moves forward, so a stale one errs safe.
        assert(tail - lane.publishedHead.pointee.load(ordering: .acquiring) < lane.capacity, "append to a full lane")
        lane.entry(tail).pointee = value
        tail += 1
    }

    /// Makes appended entries visible to the consumer; true if there were any.
    @inline(__always)
    package mutating func publish() -> Bool {
        guard tail != published else { return false }
        lane.publishedTail.pointee.store(tail, ordering: .releasing)
        published = tail
        return true
    }
}

/// The consuming end of a lane, kept by the consuming reactor.
package struct LaneConsumer {
    let lane: Lane
    private var head = 0
    private var released = 0
    private var knownTail = 0

    package init(_ lane: Lane) {
        self.lane = lane
    }

    /// The next entry, looking at the producer's tail only when the cached one
    /// says the lane is empty.
    @inline(__always)
    package mutating func next() -> UInt64? {
        if head == knownTail {
            knownTail = lane.publishedTail.pointee.load(ordering: .acquiring)
            if head == knownTail { return nil }
        }
        defer { head += 1 }
        return lane.entry(head).pointee
    }

    /// Up to `limit` of the entries not yet taken, left in the lane: the run
    /// that starts at the head and stops at the lane's end, where it wraps.
    @inline(__always)
    mutating func pending(upTo limit: Int) -> UnsafeBufferPointer<UInt64> {
        if head == knownTail {
            knownTail = lane.publishedTail.pointee.load(ordering: .acquiring)
        }
        let untilWrap = lane.capacity - (head & (lane.capacity - 1))
        return UnsafeBufferPointer(start: lane.entry(head), count: min(knownTail - head, untilWrap, limit))
    }

    /// Takes the first `count` entries that `pending(upTo:)` showed.
    @inline(__always)
    mutating func take(_ count: Int) {
        head += count
    }

    /// Whether the producer published `count` entries not yet taken; looks
    /// at the producer's tail only when the cached one says it did not.
    @inline(__always)
    mutating func hasEntries(atLeast count: Int = 1) -> Bool {
        if knownTail - head >= count { return true }
        knownTail = lane.publishedTail.pointee.load(ordering: .acquiring)
        return knownTail - head >= count
    }

    /// Hands the room of taken entries back to the producer; true if any.
    @inline(__always)
    package mutating func release() -> Bool {
        guard head != released else { return false }
        lane.publishedHead.pointee.store(head, ordering: .releasing)
        released = head
        return true
    }
}
