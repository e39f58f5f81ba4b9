/// A frame in the arena: which slot holds it and how many bytes it has.
///
/// Frames are plain values passed by handle; the bytes never move between
/// the read that filled the slot and the writes that send it on.
struct Frame: Equatable {
    /// The arena slot holding the frame.
    var slot: UInt32
    /// The Ethernet frame's length, without any vnet header.
    var length: UInt32

    /// The frame as one 64-bit lane entry.
    var packed: UInt64 { UInt64(slot) << 32 | UInt64(length) }

    init(slot: UInt32, length: UInt32) {
        self.slot = slot
        self.length = length
    }

    init(packed: UInt64) {
        slot = UInt32(truncatingIfNeeded: packed >> 32)
        length = UInt32(truncatingIfNeeded: packed)
    }
}
