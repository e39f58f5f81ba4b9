/// How an engine spreads its work and sizes its memory. The defaults suit
/// taps joined by a hub on a machine with a few cores.
public struct EngineConfiguration: Sendable {
    /// How taps are read.
    public enum ReadMode: String, Sendable, CaseIterable {
        /// Batches of fixed-buffer reads kept in flight on every tap. The
        /// default: on taps it moves more frames than multishot reads.
        case fixedBuffers = "fixed"
        /// One multishot read per tap, filling slots from a provided-buffer
        /// ring; needs Linux 6.7.
        case multishot
    }

    /// Reactor threads; `nil` means one per CPU the process may use, but no
    /// more than there are ports. Ports are dealt to reactors in command-line
    /// order, so a frame read on one core is written on another.
    public var reactorCount: Int?
    /// Whether each reactor thread is pinned to a CPU of its own.
    public var pinsReactors = true
    /// Bytes per arena slot, vnet header room included; a multiple of 64 that
    /// holds the largest frame the taps carry.
    public var slotSize = 2048
    /// The `slotSize` that holds the longest frame any netdev carries
    /// (QEMU's `NET_BUFSIZE`, 69,632 bytes) behind its headroom.
    public static let longestFrameSlotSize = FrameArena.largeSlotSize
    /// Arena slots each reactor owns: its reads in flight, plus its frames
    /// waiting in lanes and being written.
    public var slotsPerReactor = 8192
    /// Large slots (`FrameArena.longestFrame` each) every reactor keeps
    /// besides the ones its reads take: for GSO frames, jumbo frames and a
    /// NIC's TSO packets on their way through lanes.
    public var largeSlotsPerReactor = 128
    /// Frames a port's queue holds for each reactor that feeds it; a power of
    /// two. A frame arriving at a full queue is dropped and counted.
    public var queueCapacity = 1024
    /// Frames read from a tap or datagram socket in one batch (or buffers
    /// offered to its multishot read).
    public var readDepth = 256
    /// Most writes in flight per port.
    public var writeBatch = 64
    public var readMode = ReadMode.fixedBuffers
    /// How reactors do their I/O.
    public var ioBackend = IOBackend.automatic

    public enum IOBackend: String, Sendable, CaseIterable {
        /// io_uring where the kernel allows it, else `poll`, with a notice.
        case automatic
        /// io_uring, or fail.
        case ioUring = "io-uring"
        /// `poll` and nonblocking reads and writes, in batches, on the same
        /// reactors: for where io_uring is disabled or filtered out.
        case poll
    }

    public init() {}

    /// The most reactors an engine runs: they wake each other through 64-bit masks.
    public static let reactorLimit = 64

    /// Refuses settings the engine cannot run with, naming the setting.
    func validate() throws(EngineError) {
        func require(_ condition: Bool, _ message: String) throws(EngineError) {
            if !condition { throw EngineError(message) }
        }
        try require(reactorCount.map { (1...Self.reactorLimit).contains($0) } ?? true,
                    "reactorCount: between 1 and \(Self.reactorLimit) reactors, not \(reactorCount ?? 0)")
        try require(
            slotSize % 64 == 0 && slotSize >= 128 + FrameArena.headroom,
            "slotSize: a multiple of 64 with room for a header and a minimal frame, not \(slotSize)")
        try require(
            (1...1 << 16).contains(slotsPerReactor), "slotsPerReactor: between 1 and 65536, not \(slotsPerReactor)")
        // 68 KiB each: 4096 are 279 MiB a reactor.
        try require((0...4096).contains(largeSlotsPerReactor),
                    "largeSlotsPerReactor: between 0 and 4096, not \(largeSlotsPerReactor)")
        try require(
            (1...1 << 20).contains(queueCapacity), "queueCapacity: between 1 and 2^20 frames, not \(queueCapacity)")
        try require(readDepth >= 1 && readDepth <= 4096, "readDepth: between 1 and 4096, not \(readDepth)")
        try require(writeBatch >= 1 && writeBatch <= 4096, "writeBatch: between 1 and 4096, not \(writeBatch)")
    }
}
