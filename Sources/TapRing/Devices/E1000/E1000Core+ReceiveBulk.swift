extension E1000Core {
    /// Receives frames of `run` from `first` on while each is the usual case:
    /// untagged (or with VLAN handling off), not oversize, and going whole
    /// into the buffer of the descriptor at RDH. The checks that hold for the
    /// whole run are made once; the counters are added, and the interrupt
    /// raised, once at the end. Returns how many frames it took, filtered-out
    /// ones included.
    ///
    /// It stops, with that frame untouched, at the first one `receive(_:)`
    /// must take: that path receives or refuses it as `e1000_receive_iov`
    /// does. The result is the same as `receive(_:)` frame by frame: the
    /// counters saturate, so their sum saturates where each frame would; ICR
    /// only gains bits, RXDMT0 if any frame left the free descriptors low.
    /// No MMIO access can come in between, as the NIC's lock is held throughout.
    mutating func receiveInBulk(_ run: UnsafeBufferPointer<UInt64>, from first: Int) -> Int {
        let rctl = self[E1000Register.rctl]
        let descriptors = Int(self[E1000Register.rdlen]) / 16
        var head = Int(self[E1000Register.rdh])
        guard receiverOn, timers.flushQueue == nil, busMastering, descriptors >= 2, head < descriptors,
            let ring = memory.pointer(at: receiveRingBase, count: 16 * descriptors)
        else { return 0 }
        let tail = Int(self[E1000Register.rdt])
        // Frames that VLAN stripping or the VLAN filter may concern go the long way.
        let tagged: UInt32? = self[E1000Register.ctrl] & E1000Control.vlanModeEnable != 0
            || rctl & E1000ReceiveControl.vlanFilter != 0
            ? self[E1000Register.vet] & 0xFFFF : nil
        let longest = Self.longestFrame(control: rctl)
        let crc = rctl & E1000ReceiveControl.stripCRC != 0 ? 0 : 4
        let ringBytes = self[E1000Register.rdlen]
        let lowWater = ringBytes >> UInt32(receiveThresholdShift)
        var tally = ReceiveTally()
        var causes = E1000Interrupt.rxt0
        var index = first
        // Everything that could send the frame the long way is checked before
        // the filter, which counts BPRC and MPRC.
        while index < run.count, head != tail {
            let frame = Frame(packed: run[index])
            let view = ReceivedFrame(bytes: link.arena.bytes(of: frame), count: Int(frame.length))
            let total = view.count + crc
            guard view.count <= longest, total <= receiveBufferSize, UInt32(view.etherType) != tagged else { break }
            let slot = ring + 16 * head
            var descriptor = ReceiveDescriptor(bytesAt: slot)
            guard descriptor.bufferAddress != 0,
                let destination = memory.pointer(at: descriptor.bufferAddress, count: view.count)
            else { break }
            index += 1
            // Frames the VLAN filter could stop went the long way above.
            guard isForFirstAddress(view) || accepts(view) else { continue }
            // The data, then the whole descriptor as read before it, as QEMU
            // writes it back (a buffer over the ring is overwritten), its
            // second half in one store with DD in it: the guest sees the
            // whole descriptor or none of it, as QEMU's descriptor write
            // followed by its DD write looks.
            view.copyWhole(to: destination)
            descriptor.special = 0
            descriptor.length = UInt16(truncatingIfNeeded: total)
            descriptor.status |= E1000ReceiveStatus.endOfPacket | E1000ReceiveStatus.ignoreChecksum
                | E1000ReceiveStatus.done
            descriptor.store(at: slot)
            head = head + 1 == descriptors ? 0 : head + 1
            tally.count(size: view.count, total: total)
            // Not only after the last frame: an RDT outside the ring lets RDH
            // wrap away from it, so the free count can grow again.
            if Self.freeDescriptorsLow(head: UInt32(truncatingIfNeeded: head), tail: UInt32(truncatingIfNeeded: tail),
                                       ringBytes: ringBytes, lowWater: lowWater) {
                causes |= E1000Interrupt.rxdmt0
            }
        }
        guard tally.frames > 0 else { return index - first }
        self[E1000Register.rdh] = UInt32(truncatingIfNeeded: head)
        add(tally)
        raise(causes)
        return index - first
    }

    /// The guest-physical address of the receive ring (RDBAH:RDBAL, 16-byte aligned).
    var receiveRingBase: UInt64 {
        UInt64(self[E1000Register.rdbah]) << 32 | UInt64(self[E1000Register.rdbal] & ~0xF)
    }

    /// Adds a tally's frames to the statistics (`e1000x_update_rx_total_stats`,
    /// as the Debian 7.2 build counts).
    mutating func add(_ tally: ReceiveTally) {
        for bucket in 0..<6 where tally.sizes[bucket] != 0 {
            add(tally.sizes[bucket], to: E1000Register.prc64 + 4 * bucket)
        }
        add(tally.frames, to: E1000Register.tpr)
        add(tally.frames, to: E1000Register.gprc)
        grow(E1000Register.torl, by: tally.octets)
        grow(E1000Register.gorcl, by: tally.octets)
        framesReceived &+= UInt64(tally.frames)
        bytesReceived &+= tally.bytes
    }
}

/// What received frames add to the statistics registers, summed so that
/// a run of frames adds to each register once.
struct ReceiveTally {
    var frames: UInt32 = 0
    /// Octets as TORL and GORCL count them: 4 CRC bytes with every frame.
    var octets: UInt64 = 0
    /// Bytes placed in the guest's buffers, without CRC.
    var bytes: UInt64 = 0
    /// Frames per size counter, PRC64 to PRC1522.
    var sizes = InlineArray<6, UInt32>(repeating: 0)

    /// Counts a frame of `size` bytes, `total` with its CRC unless stripped:
    /// the size counter goes by `total`, the octets always include the CRC.
    @inline(__always)
    mutating func count(size: Int, total: Int) {
        frames &+= 1
        octets &+= UInt64(size + 4)
        bytes &+= UInt64(size)
        if let bucket = E1000Core.sizeBucket(of: total) { sizes[bucket] &+= 1 }
    }
}
