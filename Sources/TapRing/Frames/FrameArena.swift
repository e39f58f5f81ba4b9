import Glibc
import Synchronization
import SystemPackage

/// One region, registered with every reactor's io_uring as a fixed buffer,
/// cut into slots that frames are read into and written from: small ones for
/// frames up to an MTU or so, and large ones (`largeSlotSize`) after them,
/// which hold the largest frame any netdev carries. Slot numbers run through
/// the small slots, then the large.
///
/// Every slot begins with `headroom` bytes: room for a tap's vnet header in
/// front of the frame, so the same bytes can leave through a tap with or
/// without one, and for a device to insert a VLAN tag without moving the
/// frame. The Ethernet frame starts right after. Each slot carries a reference count: one per port a
/// frame is still queued for or being written to.
package struct FrameArena: ~Copyable {
    /// Bytes reserved in front of every frame: a vnet header, and a VLAN tag
    /// moved in front of it.
    package static let headroom = 16

    /// The longest frame a netdev carries: QEMU's `NET_BUFSIZE`, what its
    /// socket, stream and dgram backends read at once. A tap's longest, 65,535
    /// bytes and a vnet header, is shorter.
    static let longestFrame = 69_632

    /// Bytes a large slot holds: the headroom and `longestFrame`, rounded to
    /// cache lines. That is 64 bytes past a page multiple, so the slots'
    /// first lines, which every frame touches, fall in different cache sets.
    package static let largeSlotSize = 69_696

    /// Transparent huge pages back the arena: the kernel then describes a
    /// registered arena with one entry per 2 MiB rather than per 4 KiB page,
    /// and every read or write into it looks its pages up in a short table.
    static let hugePageSize = 2 << 20

    package let memory: UnsafeMutableRawBufferPointer
    package let slotSize: Int
    package let slotCount: Int
    package let largeSlotCount: Int
    private let references: UnsafeMutablePointer<Atomic<UInt32>>

    /// Maps `slotCount` slots of `slotSize` bytes and `largeSlotCount` large
    /// ones on huge pages where the kernel has them, with every page
    /// populated up front so that no fault lands on the per-frame path.
    ///
    /// The corresponding C functions are `mmap(2)` and `madvise(2)`.
    package init(slotSize: Int, slotCount: Int, largeSlotCount: Int = 0) throws(Errno) {
        precondition(slotSize > Self.headroom && slotSize % 64 == 0, "slots are cache-line multiples")
        let byteCount = slotSize * slotCount + Self.largeSlotSize * largeSlotCount
        memory = UnsafeMutableRawBufferPointer(start: try Self.mapHugePageAligned(byteCount), count: byteCount)
        self.slotSize = slotSize
        self.slotCount = slotCount
        self.largeSlotCount = largeSlotCount
        references = .allocate(capacity: slotCount + largeSlotCount)
        for slot in 0..<slotCount + largeSlotCount {
            (references + slot).initialize(to: Atomic(0))
        }
    }

    /// Maps `byteCount` bytes starting on a huge-page boundary, asks for huge
    /// pages, and populates them.
    private static func mapHugePageAligned(_ byteCount: Int) throws(Errno) -> UnsafeMutableRawPointer {
        let length = (byteCount + 4095) & ~4095
        let padded = length + hugePageSize
        guard let mapped = mmap(nil, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            mapped != MAP_FAILED
        else { throw Errno.current }
        let address = Int(bitPattern: mapped)
        let aligned = (address + hugePageSize - 1) & ~(hugePageSize - 1)
        if aligned > address { munmap(mapped, aligned - address) }
        let end = aligned + length
        if address + padded > end { munmap(UnsafeMutableRawPointer(bitPattern: end), address + padded - end) }
        let base = UnsafeMutableRawPointer(bitPattern: aligned)!
        // Without transparent huge pages the region keeps its 4 KiB pages.
        _ = madvise(base, byteCount, MADV_HUGEPAGE)
        if madvise(base, byteCount, MADV_POPULATE_WRITE) != 0 {
            // Before Linux 5.14: touch every page.
            for page in stride(from: 0, to: byteCount, by: 4096) {
                base.storeBytes(of: 0, toByteOffset: page, as: UInt8.self)
            }
        }
        return base
    }

    deinit {
        munmap(memory.baseAddress, memory.count)
        references.deinitialize(count: slotCount + largeSlotCount)
        references.deallocate()
    }

    /// A copyable handle on the arena for the reactors that share it.
    package var view: ArenaView {
        ArenaView(
            base: memory.baseAddress!, slotSize: slotSize, smallSlotCount: UInt32(slotCount), references: references)
    }
}

/// What a reactor needs of the arena: slot addresses and reference counts.
///
/// Unchecked `Sendable`: the arena outlives every reactor, a slot's bytes are
/// written only by the reactor that owns the slot before the frame is
/// published, and the reference counts are atomics.
package struct ArenaView: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let slotSize: Int
    /// Slots below this number are small, the rest large.
    let smallSlotCount: UInt32
    fileprivate let references: UnsafeMutablePointer<Atomic<UInt32>>

    init(base: UnsafeMutableRawPointer, slotSize: Int, smallSlotCount: UInt32,
         references: UnsafeMutablePointer<Atomic<UInt32>>) {
        self.base = base
        self.slotSize = slotSize
        self.smallSlotCount = smallSlotCount
        self.references = references
    }

    /// The first byte of `slot`, where its headroom begins.
    @inline(__always)
    func start(of slot: UInt32) -> UnsafeMutableRawPointer {
        guard slot >= smallSlotCount else { return base + Int(slot) * slotSize }
        return base + Int(smallSlotCount) * slotSize + Int(slot - smallSlotCount) * FrameArena.largeSlotSize
    }

    @inline(__always)
    package func isLarge(_ slot: UInt32) -> Bool {
        slot >= smallSlotCount
    }

    /// The bytes `slot` holds, headroom included.
    @inline(__always)
    func size(of slot: UInt32) -> Int {
        isLarge(slot) ? FrameArena.largeSlotSize : slotSize
    }

    /// The first byte of `frame`.
    @inline(__always)
    package func bytes(of frame: Frame) -> UnsafeMutableRawPointer {
        start(of: frame.slot) + Int(frame.offset)
    }

    /// Gives a freshly filled slot its references before the frame is published.
    @inline(__always)
    func setReferences(_ count: UInt32, of slot: UInt32) {
        references[Int(slot)].store(count, ordering: .relaxed)
    }

    /// Drops one reference; true when it was the last, and the slot is free.
    @inline(__always)
    func release(_ slot: UInt32) -> Bool {
        references[Int(slot)].subtract(1, ordering: .acquiringAndReleasing).newValue == 0
    }
}
