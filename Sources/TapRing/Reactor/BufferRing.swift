import CURing
import Glibc
import SystemPackage

/// A provided-buffer ring: free large slots handed to the kernel, which picks
/// one for each frame a multishot read delivers; a large slot holds any frame.
///
/// Buffer ids are 16 bits, so a ring addresses slots relative to `firstSlot`.
struct BufferRing: ~Copyable {
    let group: UInt16
    private let entries: UnsafeMutablePointer<io_uring_buf_ring>
    private let capacity: Int
    private let firstSlot: UInt32
    private let arena: ArenaView
    /// Where in a slot the kernel writes: past the headroom a vnet header does not use.
    private let offset: Int
    private var added = 0
    /// Buffers the kernel may still pick.
    private(set) var available = 0

    /// Maps a ring of `capacity` entries and registers it as buffer group `group`.
    ///
    /// The corresponding C function is `io_uring_register_buf_ring`.
    init(
        on uring: borrowing URing, group: UInt16, capacity: Int, firstSlot: UInt32, arena: ArenaView,
        vnetHeaderSize: Int
    ) throws(Errno) {
        let bytes = capacity * MemoryLayout<io_uring_buf>.stride
        guard let memory = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            memory != MAP_FAILED
        else { throw Errno.current }
        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: memory))
        registration.ring_entries = UInt32(capacity)
        registration.bgid = group
        let result = io_uring_register_buf_ring(uring.ring!, &registration, 0)
        guard result == 0 else {
            munmap(memory, bytes)
            throw Errno(completionResult: result)
        }
        entries = memory.assumingMemoryBound(to: io_uring_buf_ring.self)
        io_uring_buf_ring_init(entries)
        self.group = group
        self.capacity = capacity
        self.firstSlot = firstSlot
        self.arena = arena
        offset = FrameArena.headroom - vnetHeaderSize
    }

    deinit {
        munmap(entries, capacity * MemoryLayout<io_uring_buf>.stride)
    }

    /// Buffers offered to the kernel, committed or not; at most `capacity`.
    var offered: Int { available + added }

    /// Offers `slot` to the kernel once `commit()` runs.
    @inline(__always)
    mutating func add(_ slot: UInt32) {
        precondition(offered < capacity, "buffer ring overfilled")
        io_uring_buf_ring_add(
            entries, arena.start(of: slot) + offset, UInt32(arena.size(of: slot) - offset),
            UInt16(truncatingIfNeeded: slot - firstSlot), io_uring_buf_ring_mask(UInt32(capacity)), Int32(added))
        added += 1
    }

    /// Publishes the buffers added since the last commit.
    @inline(__always)
    mutating func commit() {
        guard added > 0 else { return }
        io_uring_buf_ring_advance(entries, Int32(added))
        available += added
        added = 0
    }

    /// The slot the kernel filled for a completion with `flags`, which it took
    /// from this ring.
    @inline(__always)
    mutating func take(completionFlags flags: UInt32) -> UInt32 {
        available -= 1
        return firstSlot + (flags >> UInt32(IORING_CQE_BUFFER_SHIFT))
    }
}
