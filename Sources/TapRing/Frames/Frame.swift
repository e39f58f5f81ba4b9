/// A frame in the arena: which slot holds it, where in the slot it starts,
/// and how many bytes it has.
///
/// Frames are plain values passed by handle; the bytes never move between
/// the read that filled the slot and the writes that send it on.
package struct Frame: Equatable {
    /// The arena slot holding the frame.
    package var slot: UInt32
    /// Where the Ethernet frame starts in the slot: `FrameArena.headroom`,
    /// unless a device inserted a VLAN tag into the headroom.
    var offset: UInt8
    /// The Ethernet frame's length, without any vnet header; below 2^23.
    package var length: UInt32
    /// QEMU would not have read this frame from its source while a NIC it goes
    /// to could not take it (see `PortDescription.readOnlyWhilePeerCanReceive`):
    /// such a NIC holds the frame back until it can take it, where a frame
    /// QEMU would have queued is delivered, or lost, by the next flush.
    var heldBack: Bool

    package init(slot: UInt32, offset: UInt8 = UInt8(FrameArena.headroom), length: UInt32, heldBack: Bool = false) {
        self.slot = slot
        self.offset = offset
        self.length = length
        self.heldBack = heldBack
    }

    /// The shortest Ethernet frame without its CRC (`ETH_ZLEN`).
    static let shortest = 60

    private static let heldBackBit: UInt64 = 1 << 23
    private static let lengthMask: UInt32 = 0x7F_FFFF

    /// The frame as one 64-bit lane entry: slot, offset, held-back bit, length.
    package var packed: UInt64 {
        UInt64(slot) << 32 | UInt64(offset) << 24 | (heldBack ? Self.heldBackBit : 0) | UInt64(length & Self.lengthMask)
    }

    package init(packed: UInt64) {
        slot = UInt32(truncatingIfNeeded: packed >> 32)
        offset = UInt8(truncatingIfNeeded: packed >> 24)
        length = UInt32(truncatingIfNeeded: packed) & Self.lengthMask
        heldBack = packed & Self.heldBackBit != 0
    }
}
