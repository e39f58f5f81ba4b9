extension E1000Core {
    /// The TDT doorbell (and TCTL writes): processes descriptors from TDH to
    /// TDT, then raises TXQE, and TXDW for any descriptor that asked for its
    /// status (`start_xmit`).
    mutating func startTransmit() {
        guard !transmit.busy else { return }
        if !transmit.waitsForSlots {
            transmit.segmentBudget = Self.segmentsPerDoorbell
            transmit.doorbellHead = self[E1000Register.tdh]
            transmit.causes = E1000Interrupt.txqe
        }
        continueTransmit(waitingForSlots: true)
    }

    /// Processes descriptors until TDT, or, `waitingForSlots`, up to one that
    /// needs more slots than the reactor has supplied: the doorbell then
    /// `waitsForSlots` and goes on from it, its interrupt held until the end.
    mutating func continueTransmit(waitingForSlots: Bool) {
        transmit.waitsForSlots = false
        guard self[E1000Register.tctl] & E1000TransmitControl.enable != 0 else { return }
        transmit.busy = true
        defer { transmit.busy = false }
        let ringBase = UInt64(self[E1000Register.tdbah]) << 32 | UInt64(self[E1000Register.tdbal] & ~0xF)
        let start = transmit.doorbellHead
        let descriptor = TransmitDescriptor(pointer: scratch)
        let waits = waitingForSlots && link.channel.hasReactor
        while self[E1000Register.tdh] != self[E1000Register.tdt] {
            let address = ringBase &+ UInt64(16 * self[E1000Register.tdh])
            dmaRead(address, into: descriptor.pointer, count: 16)
            if waits && !link.canSupply(slotsNeeded(by: descriptor)) || !process(descriptor, canWait: waits) {
                transmit.waitsForSlots = true
                return
            }
            transmit.causes |= writeBackStatus(descriptor, at: address)
            var head = self[E1000Register.tdh] + 1
            if head * 16 >= self[E1000Register.tdlen] { head = 0 }
            self[E1000Register.tdh] = head
            // Bogus TDT or TDLEN: stop once the head comes round (CVE-2016-1981).
            if head == start || start >= self[E1000Register.tdlen] / 16 { break }
        }
        raise(transmit.causes)
    }

    /// The slots, and sends, a descriptor may take: one per frame it may end
    /// and per TSO segment it may cut, no more than the reactor can supply at
    /// once (a descriptor that cuts more waits again between its segments).
    @inline(__always)
    private func slotsNeeded(by descriptor: TransmitDescriptor) -> Int {
        let command = descriptor.uint32(at: 8)
        let type = command & (E1000TransmitCommand.extended | E1000TransmitCommand.dataDescriptor)
        if type == E1000TransmitCommand.extended { return 0 }
        guard type == E1000TransmitCommand.extended | E1000TransmitCommand.dataDescriptor,
            command & E1000TransmitCommand.tcpSegmentation != 0
        else { return 1 }
        let segments = Int(command & 0xFFFF) / max(1, transmit.segmentationContext.mss) + 2
        return min(segments, NICChannel.spareCapacity)
    }

    /// With RS or RPS, sets DD in the descriptor's last dword and writes it
    /// back (`txdesc_writeback`).
    private mutating func writeBackStatus(_ descriptor: TransmitDescriptor, at address: UInt64) -> UInt32 {
        let command = descriptor.uint32(at: 8)
        guard command & (E1000TransmitCommand.reportStatus | E1000TransmitCommand.reportPacketSent) != 0 else {
            return 0
        }
        // DD set; excess collisions, late collision and underrun cleared.
        descriptor.setUInt32((descriptor.uint32(at: 12) | 0x1) & ~0xE, at: 12)
        dmaWrite(address + 12, from: descriptor.pointer + 12, count: 4)
        return E1000Interrupt.txdw
    }

    /// One transmit descriptor: a context descriptor sets offload parameters;
    /// data and legacy descriptors add bytes to the packet, cut into TSO
    /// segments as they fill, and EOP sends it (`process_tx_desc`).
    ///
    /// Returns false when, `canWait`, the reactor has no slot for the next
    /// segment: the descriptor's bytes go on from there when it is processed
    /// again, so that QEMU's one pass over a descriptor of thousands of
    /// segments sends every one of them.
    private mutating func process(_ descriptor: TransmitDescriptor, canWait: Bool) -> Bool {
        let command = descriptor.uint32(at: 8)
        var address = descriptor.uint64(at: 0)
        var remaining = Int(command & 0xFFFF)
        if let pending = transmit.pendingBytes {
            // Its settings were taken when it was first processed.
            transmit.pendingBytes = nil
            (address, remaining) = (pending.address, pending.count)
        } else if !takeSettings(of: descriptor) {
            return true
        }
        if transmit.segmenting {
            let segmentEnd = transmit.segmentationContext.headerLength + transmit.segmentationContext.mss
            let headerLength = transmit.segmentationContext.headerLength
            var bytes = 0
            repeat {
                bytes = remaining
                // hdr_len + mss reached or zero: send what there is (CVE-2015-6815).
                if transmit.size >= segmentEnd { break }
                guard transmit.segmentBudget > 0 else {
                    transmit.truncated = true
                    break
                }
                // A step may take a slot, end a segment, take the next one's
                // slot, and EOP may then send that one.
                if canWait && !transmit.coalescing && !link.canSupply(2) {
                    transmit.pendingBytes = (address, remaining)
                    return false
                }
                bytes = min(bytes, segmentEnd - transmit.size, 65536 - transmit.size)
                gather(from: address, count: bytes)
                let filled = transmit.size + bytes
                if filled >= headerLength && transmit.size < headerLength, let data = transmitData {
                    // A slot smaller than the headers holds only their start;
                    // the packet outgrew it and is not sent.
                    transmit.header.copyMemory(from: data, byteCount: min(headerLength, transmitCapacity))
                }
                transmit.size = filled & 0xFFFF
                address &+= UInt64(bytes)
                if filled == segmentEnd {
                    transmit.segmentBudget -= 1
                    if transmit.coalescing {
                        // The segment stays in the slot; the next one's payload follows it.
                        transmit.segmentsSent += 1
                        transmit.size = headerLength
                    } else {
                        sendSegment()
                        startNextSegment()
                    }
                }
                remaining -= bytes
            } while bytes != 0 && remaining != 0
        } else {
            let count = min(65536 - transmit.size, remaining)
            gather(from: address, count: count)
            transmit.size = (transmit.size + count) & 0xFFFF
        }
        if command & E1000TransmitCommand.endOfPacket != 0 { endPacket() }
        return true
    }

    /// What a descriptor sets before its bytes are gathered: a context
    /// descriptor its offload parameters (then false: it carries no bytes),
    /// a data descriptor the packet's checksums, TSO and VLAN tag.
    private mutating func takeSettings(of descriptor: TransmitDescriptor) -> Bool {
        let command = descriptor.uint32(at: 8)
        let type = command & (E1000TransmitCommand.extended | E1000TransmitCommand.dataDescriptor)
        if command & E1000TransmitCommand.delayInterrupt != 0 { transmitDelayRequested = true }
        if type == E1000TransmitCommand.extended {
            if command & E1000TransmitCommand.tcpSegmentation != 0 {
                transmit.segmentationContext = OffloadContext(descriptor)
                transmit.segmentsSent = 0
            } else {
                transmit.context = OffloadContext(descriptor)
            }
            return false
        }
        if type == E1000TransmitCommand.extended | E1000TransmitCommand.dataDescriptor {
            if transmit.size == 0 { transmit.checksums = descriptor.byte(at: 13) }
            transmit.segmenting = command & E1000TransmitCommand.tcpSegmentation != 0
        } else {
            transmit.segmenting = false
        }
        if transmit.segmenting && transmit.size == 0 && transmit.slot == nil {
            transmit.coalescing = coalescesSegments
        } else if transmit.coalescing && !transmit.segmenting {
            // Plain data amid a TSO packet gathered whole: QEMU would send it
            // in the segment under way, which a GSO frame cannot say. The
            // packet is counted and dropped, as one that outgrew its slot.
            transmit.truncated = true
        }
        if self[E1000Register.ctrl] & E1000Control.vlanModeEnable != 0 && command & E1000TransmitCommand.vlan != 0
            && (transmit.segmenting || command & E1000TransmitCommand.endOfPacket != 0)
        {
            transmit.insertsVLAN = true
            transmit.vlanTag = (self[E1000Register.vet] & 0xFFFF) << 16 | UInt32(descriptor.uint16(at: 14))
        }
        return true
    }

    /// EOP: sends the packet, or its last segment, and starts a new one.
    private mutating func endPacket() {
        if transmit.coalescing {
            sendCoalesced()
        } else if !(transmit.segmenting && transmit.size < transmit.segmentationContext.headerLength) {
            sendSegment()
        }
        if let slot = transmit.slot {
            link.giveBack(slot)
            transmit.slot = nil
        }
        transmit.segmentsSent = 0
        transmit.checksums = 0
        transmit.insertsVLAN = false
        transmit.size = 0
        transmit.segmenting = false
        transmit.truncated = false
        transmit.coalescing = false
        transmit.coalescedLength = 0
    }

    /// Segments one TDT write may cut. A ring of 65,535 descriptors of 64 KiB
    /// with an MSS of 1 asks for billions, which QEMU cuts and sends one by
    /// one, holding the vCPU for minutes; here the doorbell's packets past
    /// this many segments are counted once each and dropped, as packets that
    /// outgrew their slot are. No honest driver comes near: its TSO packets
    /// are 64 KiB at most, some 45 segments of a 1448-byte MSS.
    static let segmentsPerDoorbell = 65536

    /// Where the packet is gathered: the slot's frame bytes.
    var transmitData: UnsafeMutableRawPointer? {
        transmit.slot.map { link.arena.bytes(of: Frame(slot: $0, length: 0)) }
    }

    /// How many bytes the packet may have in its slot: a large one holds
    /// all QEMU's 64 KiB buffer does.
    var transmitCapacity: Int {
        guard let slot = transmit.slot, link.arena.isLarge(slot) else { return min(65536, link.slotCapacity) }
        return min(65536, FrameArena.largeSlotSize - FrameArena.headroom)
    }

    /// DMA-reads `count` bytes of guest memory to the end of the packet.
    private mutating func gather(from address: UInt64, count: Int) {
        guard count > 0 else { return }
        if transmit.slot == nil && transmit.coalescing {
            transmit.slot = link.takeLargeSpareSlot()
            // None to spare: this packet leaves in segments after all.
            if transmit.slot == nil { transmit.coalescing = false }
        }
        if transmit.slot == nil {
            transmit.slot = link.takeSpareSlot()
        }
        let offset = transmit.coalescing ? transmit.coalescedLength : transmit.size
        let capacity = transmit.coalescing ? Self.coalescedCapacity : transmitCapacity
        let room = capacity - offset
        guard let data = transmitData, room > 0 else {
            transmit.truncated = true
            return
        }
        if count > room { transmit.truncated = true }
        dmaRead(address, into: data + offset, count: min(count, room))
        transmit.noteStored(data, at: offset, count: min(count, room))
        if transmit.coalescing { transmit.coalescedLength += min(count, room) }
    }

    /// After a TSO segment: a fresh slot with the saved headers in front.
    /// Headers longer than a slot make every segment outgrow its slot.
    mutating func startNextSegment() {
        let headerLength = transmit.segmentationContext.headerLength
        let stored = min(headerLength, transmitCapacity)
        transmit.slot = link.takeSpareSlot()
        if let data = transmitData {
            data.copyMemory(from: transmit.header, byteCount: stored)
            transmit.noteStored(data, at: 0, count: stored)
        }
        if transmitData == nil || stored < headerLength {
            transmit.truncated = true
        }
        transmit.size = headerLength
    }
}

/// A 16-byte transmit descriptor copied out of the ring, read and changed in
/// place, then written back; its bytes live in the core's scratch memory.
struct TransmitDescriptor {
    let pointer: UnsafeMutableRawPointer

    @inline(__always)
    func byte(at offset: Int) -> UInt8 { pointer.load(fromByteOffset: offset, as: UInt8.self) }

    @inline(__always)
    func uint16(at offset: Int) -> UInt16 {
        UInt16(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func uint32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func uint64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    func setUInt32(_ value: UInt32, at offset: Int) {
        pointer.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }
}
