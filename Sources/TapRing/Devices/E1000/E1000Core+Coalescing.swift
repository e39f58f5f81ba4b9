extension E1000Core {
    /// The longest TSO packet gathered whole: its IPv4 total length must fit.
    static let coalescedCapacity = 65535

    /// Whether the TSO packet that starts now is gathered whole in a large
    /// slot, to leave as one GSO frame that the tap's kernel cuts into the
    /// segments QEMU would send: when every port the NIC's frames go to takes
    /// GSO frames, the PHY does not loop back, and the context describes what
    /// a vnet header can: TCP over IPv4 (the 82540EM has no TSO6), both
    /// checksums asked for, the TCP one at its place and to the end.
    var coalescesSegments: Bool {
        let context = transmit.segmentationContext
        return link.channel.sendsGSOFrames && !loopsBack && context.isTCP && context.isIPv4
            && transmit.checksums & 0x3 == 0x3
            && context.mss > 0 && context.payloadLength > UInt32(context.mss)
            && context.ipcss >= 14 && context.tucss >= context.ipcss + 20
            && context.tucso == context.tucss + 16 && context.tucse == 0
            && context.headerLength >= context.tucss + 20
            && context.headerLength + Int(context.payloadLength) <= Self.coalescedCapacity
    }

    /// At EOP of a packet gathered whole: the segments QEMU's `xmit_seg`
    /// would have sent, counted as it counts them, leave as one GSO frame
    /// with a vnet header; one segment alone, and the header-only segment
    /// QEMU sends after a payload that is a multiple of the MSS, leave as
    /// QEMU builds them.
    mutating func sendCoalesced() {
        let context = transmit.segmentationContext
        let full = transmit.segmentsSent
        let last = transmit.size
        // QEMU sends the last segment unless it has not even the headers.
        let sendsLast = last >= context.headerLength
        let headerOnlyLast = sendsLast && last == context.headerLength && full > 0
        let inFrame = full + (sendsLast && !headerOnlyLast ? 1 : 0)
        transmit.coalescing = false
        switch inFrame {
        case 0:
            return
        case 1:
            // Nothing to cut: the packet is the one segment QEMU would send.
            transmit.segmentsSent = 0
            transmit.size = transmit.coalescedLength
            sendSegment()
        default:
            sendGSOFrame(segments: inFrame)
        }
        if headerOnlyLast {
            startNextSegment()
            sendSegment()
        }
    }

    /// The gathered packet as one GSO frame of `segments` segments: IPv4
    /// total length and header checksum for the whole, the TCP checksum left
    /// as the pseudo-header sum the kernel finishes per segment
    /// (`VIRTIO_NET_HDR_F_NEEDS_CSUM`, virtio 1.0 5.1.6.2), the headers the
    /// kernel copies into each segment in `hdr_len`.
    private mutating func sendGSOFrame(segments: Int) {
        let context = transmit.segmentationContext
        let size = transmit.coalescedLength
        guard let slot = transmit.slot, let data = transmitData else { return }
        countSegments(segments, first: data)
        transmit.segmentsSent = segments
        guard !transmit.truncated, size - context.ipcss <= 0xFFFF else {
            transmit.truncated = false
            transmit.slot = nil
            link.giveBack(slot)
            return
        }
        let packet = PacketBytes(data, capacity: transmitCapacity)
        packet.setBigEndian16(UInt16(size - context.ipcss), at: context.ipcss + 2)
        packet.insertChecksum(size: size, at: context.ipcso, start: context.ipcss, end: context.ipcse)
        let sum = UInt32(packet.bigEndian16(at: context.tucso)) + UInt32(size - context.tucss)
        packet.setBigEndian16(UInt16(truncatingIfNeeded: (sum >> 16) + (sum & 0xFFFF)), at: context.tucso)
        var header = VirtioNetHeader()
        header.flags = VirtioNetHeader.needsChecksum
        let congestionWindowReduced = packet.byte(at: context.tucss + 13) & 0x80 != 0
        header.gsoType = VirtioNetHeader.gsoTCPv4 | (congestionWindowReduced ? VirtioNetHeader.gsoECN : 0)
        header.gsoSize = UInt16(context.mss)
        header.headerLength = UInt16(context.headerLength)
        header.checksumStart = UInt16(context.tucss)
        header.checksumOffset = 16
        var frame = Frame(slot: slot, length: UInt32(size))
        if transmit.insertsVLAN {
            (data - 4).copyMemory(from: data, byteCount: 12)
            (data + 8).storeBytes(of: transmit.vlanTag.bigEndian, as: UInt32.self)
            frame = Frame(slot: slot, offset: frame.offset - 4, length: frame.length + 4)
            header.headerLength += 4
            header.checksumStart += 4
        }
        header.store(at: link.arena.bytes(of: frame) - TapDevice.vnetHeaderBytes)
        // Exact for the addresses and the tag; past them QEMU's buffer would
        // hold its last segment's headers, which only a later packet shorter
        // than its own offload fields could show.
        transmit.noteStored(data, at: 0, count: TransmitState.leadCount)
        transmit.slot = nil
        if !link.send(frame) { framesNotSent &+= 1 }
    }

    /// What QEMU counts for each of `segments` segments of the packet whose
    /// first bytes are at `first`: `sendSegment` and `emit`'s counters,
    /// segment by segment. The segments that filled have the headers and an
    /// MSS of payload, the last what it gathered: counted from the cuts, not
    /// from the slot, which a guest sending more than the context's payload
    /// length overfills, and whose packet is then dropped.
    private mutating func countSegments(_ segments: Int, first: UnsafeRawPointer) {
        let context = transmit.segmentationContext
        let full = transmit.segmentsSent
        let tag = transmit.insertsVLAN ? 4 : 0
        for segment in 0..<segments {
            let bytes = segment < full ? context.headerLength + context.mss : transmit.size
            let sent = UInt32(truncatingIfNeeded: segment * context.mss)
            if !(context.payloadLength &- sent > UInt32(context.mss)) && segment != 0 {
                increment(E1000Register.tsctc)
            }
            countEmitted(first, length: bytes + tag)
            countSent(size: bytes)
        }
    }
}
