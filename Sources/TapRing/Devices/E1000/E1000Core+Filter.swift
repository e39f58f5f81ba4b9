extension E1000Core {
    /// Whether the receive filters let `frame` in: VLAN filter table, then
    /// unicast/multicast promiscuity, broadcast, the 16 exact addresses and
    /// the multicast hash (`receive_filter`, `e1000x_rx_group_filter`).
    ///
    /// BPRC and MPRC count here, by the rule that accepted the frame, even if
    /// it is later lost for lack of descriptors, as QEMU 7.2 counts them.
    @inline(__always)
    mutating func accepts(_ frame: ReceivedFrame) -> Bool {
        let rctl = self[E1000Register.rctl]
        if rctl & E1000ReceiveControl.vlanFilter != 0
            && frame.etherType == UInt16(truncatingIfNeeded: self[E1000Register.vet])
        {
            let vid = Int(frame.bigEndian16(at: 14))
            let word = self[E1000Register.vfta + 4 * ((vid >> 5) & 0x7F)]
            guard (word >> UInt32(vid & 0x1F)) & 1 != 0 else { return false }
        }
        let (low, high) = frame.destination
        let isMulticast = low & 1 != 0
        let isBroadcast = low == 0xFFFF_FFFF && high == 0xFFFF
        if !isMulticast && rctl & E1000ReceiveControl.unicastPromiscuous != 0 { return true }
        if isMulticast && rctl & E1000ReceiveControl.multicastPromiscuous != 0 {
            increment(E1000Register.mprc)
            return true
        }
        if isBroadcast && rctl & E1000ReceiveControl.broadcastAccept != 0 {
            increment(E1000Register.bprc)
            return true
        }
        return matchesAddressFilter(low: low, high: high) || matchesMulticastHash(high: high)
    }

    /// Whether `frame` is unicast to the first receive address, marked valid:
    /// the usual frame. `accepts(_:)` lets it in without counting anything
    /// unless the VLAN filter stops it, so a caller that has ruled that out
    /// need not ask `accepts(_:)`.
    @inline(__always)
    func isForFirstAddress(_ frame: ReceivedFrame) -> Bool {
        let (low, high) = frame.destination
        let entryHigh = self[E1000Register.ra + 4]
        return low & 1 == 0 && entryHigh & 0x8000_0000 != 0 && entryHigh & 0xFFFF == high
            && self[E1000Register.ra] == low
    }

    /// An exact match with one of the 16 receive addresses marked valid; the
    /// destination's halves are in RAL and RAH order.
    @inline(__always)
    private func matchesAddressFilter(low: UInt32, high: UInt32) -> Bool {
        for entry in 0..<16 {
            let entryHigh = self[E1000Register.ra + 8 * entry + 4]
            if entryHigh & 0x8000_0000 != 0 && entryHigh & 0xFFFF == high && self[E1000Register.ra + 8 * entry] == low {
                return true
            }
        }
        return false
    }

    /// The multicast table's bit for the 12 bits of the destination's last
    /// two bytes (`high`, the fifth byte lowest) that RCTL.MO selects.
    private mutating func matchesMulticastHash(high: UInt32) -> Bool {
        let shift: UInt32
        switch (self[E1000Register.rctl] >> 12) & 3 {
        case 0: shift = 4
        case 1: shift = 3
        case 2: shift = 2
        default: shift = 0
        }
        let hash = Int((high >> shift) & 0xFFF)
        guard (self[E1000Register.mta + 4 * (hash >> 5)] >> UInt32(hash & 31)) & 1 != 0 else { return false }
        increment(E1000Register.mprc)
        return true
    }
}
