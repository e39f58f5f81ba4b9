/// The free slots of one reactor's share of the arena: a stack, so the slot
/// freed last, still warm in cache, is filled next.
///
/// Only the owning reactor touches it; slots freed on other reactors come
/// back through a return lane first.
package struct SlotPool: ~Copyable {
    private let slots: UnsafeMutablePointer<UInt32>
    let capacity: Int
    package private(set) var count: Int

    /// A pool holding every slot of `range`.
    package init(_ range: Range<UInt32>) {
        capacity = range.count
        slots = .allocate(capacity: capacity)
        count = 0
        for slot in range.reversed() {
            slots[count] = slot
            count += 1
        }
    }

    deinit {
        slots.deallocate()
    }

    @inline(__always)
    package mutating func take() -> UInt32? {
        guard count > 0 else { return nil }
        count -= 1
        return slots[count]
    }

    @inline(__always)
    package mutating func put(_ slot: UInt32) {
        precondition(count < capacity, "slot \(slot) freed twice")
        slots[count] = slot
        count += 1
    }
}
