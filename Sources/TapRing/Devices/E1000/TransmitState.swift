/// Offload parameters from a transmit context descriptor
/// (`e1000x_txd_props`, read by `e1000x_read_tx_ctx_descr`).
struct OffloadContext {
    var ipcss: Int = 0, ipcso: Int = 0, ipcse: Int = 0
    var tucss: Int = 0, tucso: Int = 0, tucse: Int = 0
    var payloadLength: UInt32 = 0
    var headerLength: Int = 0
    var mss: Int = 0
    var isIPv4 = false, isTCP = false

    /// Decodes the 16 bytes of a context descriptor.
    init(_ descriptor: TransmitDescriptor) {
        ipcss = Int(descriptor.byte(at: 0))
        ipcso = Int(descriptor.byte(at: 1))
        ipcse = Int(descriptor.uint16(at: 2))
        tucss = Int(descriptor.byte(at: 4))
        tucso = Int(descriptor.byte(at: 5))
        tucse = Int(descriptor.uint16(at: 6))
        let command = descriptor.uint32(at: 8)
        payloadLength = command & 0xF_FFFF
        isIPv4 = command & 0x0200_0000 != 0
        isTCP = command & 0x0100_0000 != 0
        headerLength = Int(descriptor.byte(at: 13))
        mss = Int(descriptor.uint16(at: 14))
    }

    init() {}
}

/// A packet being gathered from transmit descriptors (`struct e1000_tx`).
///
/// The packet is gathered straight into an arena slot; once sent, the slot
/// travels on as the frame, and segmentation continues in a fresh one.
struct TransmitState {
    var context = OffloadContext()
    var segmentationContext = OffloadContext()
    /// POPTS of the packet's first data descriptor: IXSM 1, TXSM 2.
    var checksums: UInt8 = 0
    var insertsVLAN = false
    /// The tag to insert: VET and the descriptor's special field, big-endian.
    var vlanTag: UInt32 = 0
    /// Bytes gathered, a 16-bit count as in QEMU.
    var size = 0
    /// Segments sent of the current TSO packet.
    var segmentsSent = 0
    var segmenting = false
    /// Segments the TDT write being processed may still cut
    /// (`E1000Core.segmentsPerDoorbell`).
    var segmentBudget = 0
    /// Set while descriptors are being processed: TDT writes from a looped-back
    /// path cannot re-enter (CVE-2021-20257).
    var busy = false
    /// Set while a doorbell waits for the reactor to supply slots
    /// (`E1000.finishTransmit`); it goes on from TDH.
    var waitsForSlots = false
    /// Where the bytes of the descriptor at TDH go on from, when the doorbell
    /// waited for slots in the middle of it.
    var pendingBytes: (address: UInt64, count: Int)?
    /// TDH when the doorbell rang, where a bogus ring stops.
    var doorbellHead: UInt32 = 0
    /// The interrupt causes the doorbell raises when it ends.
    var causes: UInt32 = 0
    /// The slot the packet is gathered in.
    var slot: UInt32?
    /// Set when the packet outgrew its slot; it is counted, not sent.
    var truncated = false
    /// Set while a TSO packet is gathered whole, to leave as one GSO frame
    /// (`E1000Core.coalescesSegments`); `size` then counts the bytes of the
    /// segment QEMU would be filling, `coalescedLength` those in the slot.
    var coalescing = false
    var coalescedLength = 0
    /// The first `headerLength` bytes of a TSO packet, put in front of every segment.
    let header: UnsafeMutableRawPointer
    /// The first `leadCount` bytes of QEMU's packet buffer (`tx.data`) as
    /// the packets so far left them. QEMU gathers every packet into the same
    /// buffer, so a packet shorter than a field it changes carries the bytes
    /// of earlier ones after its own: in the 4 + 8 bytes a VLAN tag insertion
    /// moves, in the 6 bytes the broadcast/multicast counters look at, and
    /// under a TSO field that runs past the segment's end (a sequence number
    /// at TUCSS + 4 whose sum carries into the segment's last bytes). Every
    /// such field lies within the first 255 + 13 bytes: TUCSS and IPCSS are
    /// bytes, and the TCP flags sit at TUCSS + 13. Packets here are gathered
    /// in fresh slots, which get these bytes back before sending.
    let lead: UnsafeMutableRawPointer
    static let leadCount = 272

    init() {
        header = .allocate(byteCount: 256, alignment: 16)
        header.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
        lead = .allocate(byteCount: Self.leadCount, alignment: 16)
        lead.initializeMemory(as: UInt8.self, repeating: 0, count: Self.leadCount)
    }

    func deallocate() {
        header.deallocate()
        lead.deallocate()
    }

    /// Records that `count` bytes were stored at `offset` of the packet
    /// buffer `data`: the ones that land in the lead bytes are kept.
    @inline(__always)
    func noteStored(_ data: UnsafeRawPointer, at offset: Int, count: Int) {
        let end = min(offset + count, Self.leadCount)
        guard offset < end else { return }
        (lead + offset).copyMemory(from: data + offset, byteCount: end - offset)
    }

    /// Puts the lead bytes QEMU's buffer holds past a `size`-byte packet
    /// behind it in `data`, where QEMU's buffer has them, up to byte `end`
    /// (the lead, or the packet's slot when that is shorter).
    @inline(__always)
    func restoreLead(into data: UnsafeMutableRawPointer, after size: Int, upTo end: Int) {
        guard size < end else { return }
        (data + size).copyMemory(from: lead + size, byteCount: end - size)
    }

    /// Forgets the packet in progress and the offload contexts, and zeroes
    /// the packet buffer's header and lead bytes (`e1000_reset` clears `tx`).
    mutating func clear() {
        header.initializeMemory(as: UInt8.self, repeating: 0, count: 256)
        lead.initializeMemory(as: UInt8.self, repeating: 0, count: Self.leadCount)
        context = OffloadContext()
        segmentationContext = OffloadContext()
        checksums = 0
        insertsVLAN = false
        vlanTag = 0
        size = 0
        segmentsSent = 0
        segmenting = false
        busy = false
        waitsForSlots = false
        pendingBytes = nil
        truncated = false
        coalescing = false
        coalescedLength = 0
    }
}
