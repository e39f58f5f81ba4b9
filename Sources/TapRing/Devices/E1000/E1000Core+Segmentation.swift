extension E1000Core {
    /// Sends the packet gathered so far as one frame: for a TSO segment,
    /// fixes IP length and id, TCP sequence and flags or UDP length first;
    /// inserts checksums and the VLAN tag as asked (`xmit_seg`).
    mutating func sendSegment() {
        let size = transmit.size
        let context = transmit.segmenting ? transmit.segmentationContext : transmit.context
        if transmit.slot == nil { transmit.slot = link.takeSpareSlot() }
        guard let data = transmitData else {
            transmit.truncated = false
            framesNotSent &+= 1
            countSent(size: size)
            return
        }
        // QEMU's buffer holds earlier packets' bytes after a short one.
        let capacity = transmitCapacity
        let leadBytes = min(TransmitState.leadCount, capacity)
        transmit.restoreLead(into: data, after: size, upTo: leadBytes)
        let packet = PacketBytes(data, capacity: capacity)
        if transmit.segmenting {
            let segment = transmit.segmentsSent
            if context.isIPv4 {
                packet.setBigEndian16(UInt16(truncatingIfNeeded: size - context.ipcss), at: context.ipcss + 2)
                packet.setBigEndian16(packet.bigEndian16(at: context.ipcss + 4) &+ UInt16(truncatingIfNeeded: segment),
                                      at: context.ipcss + 4)
            } else {
                packet.setBigEndian16(UInt16(truncatingIfNeeded: size - context.ipcss), at: context.ipcss + 4)
            }
            let length = UInt16(truncatingIfNeeded: size - context.tucss)
            if context.isTCP {
                let sent = UInt32(truncatingIfNeeded: segment * context.mss)
                packet.setBigEndian32(packet.bigEndian32(at: context.tucss + 4) &+ sent, at: context.tucss + 4)
                if context.payloadLength &- sent > UInt32(context.mss) {
                    packet.setByte(packet.byte(at: context.tucss + 13) & ~0x09, at: context.tucss + 13)  // PSH, FIN
                } else if segment != 0 {
                    increment(E1000Register.tsctc)
                }
            } else {
                packet.setBigEndian16(length, at: context.tucss + 4)
            }
            if transmit.checksums & E1000PacketOptions.insertTCPChecksum != 0 {
                // Add the length to the pseudo-header sum the guest left there.
                let sum = UInt32(packet.bigEndian16(at: context.tucso)) + UInt32(length)
                packet.setBigEndian16(UInt16(truncatingIfNeeded: (sum >> 16) + (sum & 0xFFFF)), at: context.tucso)
            }
            transmit.segmentsSent += 1
        }
        if transmit.checksums & E1000PacketOptions.insertTCPChecksum != 0 {
            packet.insertChecksum(size: size, at: context.tucso, start: context.tucss, end: context.tucse)
        }
        if transmit.checksums & E1000PacketOptions.insertIPChecksum != 0 {
            packet.insertChecksum(size: size, at: context.ipcso, start: context.ipcss, end: context.ipcse)
        }
        var frame = Frame(slot: transmit.slot!, length: UInt32(size))
        if transmit.insertsVLAN {
            // The addresses move 4 bytes into the headroom to make room for the tag.
            (data - 4).copyMemory(from: data, byteCount: 12)
            (data + 8).storeBytes(of: transmit.vlanTag.bigEndian, as: UInt32.self)
            frame = Frame(slot: frame.slot, offset: frame.offset - 4, length: frame.length + 4)
        }
        if link.channel.sendsGSOFrames {
            // Its taps take the frame with an empty vnet header: no offloads,
            // whatever the slot carried before. (The reactor clears the
            // header of other NICs' frames.)
            (link.arena.bytes(of: frame) - TapDevice.vnetHeaderBytes)
                .initializeMemory(as: UInt8.self, repeating: 0, count: TapDevice.vnetHeaderBytes)
        }
        // What the header fixes, checksums and tag insertion left in the
        // first bytes stays in QEMU's buffer for the next packet.
        transmit.noteStored(data, at: 0, count: leadBytes)
        transmit.slot = nil
        if transmit.truncated {
            transmit.truncated = false
            link.giveBack(frame.slot)
        } else {
            emit(frame, gatheredAt: data, leadBytes: leadBytes)
        }
        countSent(size: size)
    }

    /// Puts a frame on the wire, or into the receiver when the PHY loops
    /// back; a looped frame the receiver cannot take now is lost, as is one
    /// sent while the receiver is busy (CVE-2021-3416) (`e1000_send_packet`).
    /// Frames waiting in the NIC's queue do not hold a looped one back:
    /// `qemu_receive_packet` asks only whether the NIC can receive.
    /// `data` is where the packet was gathered, the frame's start or 4 bytes
    /// after it when a tag was inserted, and `leadBytes` of it are QEMU's
    /// buffer's lead bytes.
    private mutating func emit(_ frame: Frame, gatheredAt data: UnsafeMutableRawPointer, leadBytes: Int) {
        guard loopsBack else {
            countEmitted(link.arena.bytes(of: frame), length: Int(frame.length))
            if !link.send(frame) { framesNotSent &+= 1 }
            return
        }
        if !receiving && canReceive {
            _ = receive(frame, loopedBack: true)
            // The receiver may have stripped a tag in QEMU's buffer itself.
            transmit.noteStored(data, at: 0, count: leadBytes)
        }
        // Counted after the receiver had the frame, as QEMU counts it.
        countEmitted(link.arena.bytes(of: frame), length: Int(frame.length))
        link.giveBack(frame.slot)
    }

    /// BPTC or MPTC, and the size bucket with 4 CRC bytes, of a `length`-byte
    /// frame starting at `bytes` put on the wire.
    mutating func countEmitted(_ bytes: UnsafeRawPointer, length: Int) {
        if bytes.loadUnaligned(as: UInt32.self) == .max
            && bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == .max
        {
            increment(E1000Register.bptc)
        } else if bytes.load(as: UInt8.self) & 1 != 0 {
            increment(E1000Register.mptc)
        }
        countSize(length + 4, bucketsFrom: E1000Register.ptc64)
    }

    /// TPT, GPTC and the octet counters, with 4 CRC bytes, as the Debian 7.2
    /// build counts a sent segment.
    mutating func countSent(size: Int) {
        increment(E1000Register.tpt)
        grow(E1000Register.totl, by: UInt64(size + 4))
        increment(E1000Register.gptc)
        grow(E1000Register.gotcl, by: UInt64(size + 4))
    }
}

/// Big-endian fields of a packet being transmitted, in the slot it is
/// gathered in. A field past the slot's `capacity` reads as 0 and is not
/// stored: QEMU writes such a field into its 64 KiB buffer past the packet,
/// where no frame shows it, or into a packet that outgrew its slot, which is
/// not sent.
struct PacketBytes {
    let base: UnsafeMutableRawPointer
    let capacity: Int

    init(_ base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    func byte(at offset: Int) -> UInt8 {
        offset < capacity ? base.load(fromByteOffset: offset, as: UInt8.self) : 0
    }

    func setByte(_ value: UInt8, at offset: Int) {
        guard offset < capacity else { return }
        base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    func bigEndian16(at offset: Int) -> UInt16 {
        offset + 2 <= capacity ? UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) : 0
    }

    func setBigEndian16(_ value: UInt16, at offset: Int) {
        guard offset + 2 <= capacity else { return }
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    func bigEndian32(at offset: Int) -> UInt32 {
        offset + 4 <= capacity ? UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) : 0
    }

    func setBigEndian32(_ value: UInt32, at offset: Int) {
        guard offset + 4 <= capacity else { return }
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// The Internet checksum of bytes `start` to `end` (inclusive; 0 means
    /// the end of the packet) of a `size`-byte packet, stored at `location`
    /// unless it lies past the data (`putsum`).
    func insertChecksum(size: Int, at location: Int, start: Int, end: Int) {
        var limit = size
        if end != 0 && end < size { limit = end + 1 }
        // Unsigned, as in QEMU: an empty packet still gets a checksum stored.
        guard UInt32(location) < UInt32(truncatingIfNeeded: limit &- 1) else { return }
        // A packet that outgrew its slot holds only the slot's bytes: it is
        // not sent, and the sum stops there rather than run past the slot.
        limit = min(limit, capacity)
        var sum: UInt32 = 0
        var offset = start
        while offset + 1 < limit {
            sum &+= UInt32(bigEndian16(at: offset))
            offset += 2
        }
        if offset < limit { sum &+= UInt32(byte(at: offset)) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = ~UInt16(truncatingIfNeeded: sum)
        setBigEndian16(checksum == 0 ? 0xFFFF : checksum, at: location)
    }
}
