/// A frame in the arena: which slot holds it, where in the slot it starts,
/// and how many bytes it has.
///
/// Frames are plain values passed by handle; the bytes never move between
/// the read that filled the slot and the writes that send it on.
struct Frame: Equatable {
    /// The arena slot holding the frame.
    var slot: UInt32
    /// Where the Ethernet frame starts in the slot: `FrameArena.headroom`,
    /// unless a device inserted a VLAN tag into the headroom.
    var offset: UInt8
    /// The Ethernet frame's length, without any vnet header; below 2^24.
    var length: UInt32

    init(slot: UInt32, offset: UInt8 = UInt8(FrameArena.headroom), length: UInt32) {
        self.slot = slot
        self.offset = offset
        self.length = length
    }

    /// The frame as one 64-bit lane entry: slot, offset, length.
    var packed: UInt64 { UInt64(slot) << 32 | UInt64(offset) << 24 | UInt64(length & 0xFF_FFFF) }

    init(packed: UInt64) {
        slot = UInt32(truncatingIfNeeded: packed >> 32)
        offset = UInt8(truncatingIfNeeded: packed >> 24)
        length = UInt32(truncatingIfNeeded: packed) & 0xFF_FFFF
    }
}
