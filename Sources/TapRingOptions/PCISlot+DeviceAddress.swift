extension PCISlot {
    /// An on-board NIC's `-net nic,addr=` as `pci_parse_devaddr()` reads it
    /// when asked for no function: `[[domain:]bus:]slot`, each part
    /// `strtoul()` in base 16, the whole text consumed, with the domain at
    /// most 0xffff, the bus at most 0xff and the slot at most 0x1f.
    ///
    /// - Returns: the domain, the bus and the slot (function 0), or nil.
    static func deviceAddress(_ text: String) -> (domain: UInt64, bus: UInt64, slot: PCISlot)? {
        let bytes = Array(text.utf8)
        var parts: [UInt64] = []
        var position = 0
        while true {
            guard let scanned = ScannedInteger(scanning: Array(bytes[position...]), base: 16) else { return nil }
            // strtoul() saturates on overflow and negates in 64 bits.
            let magnitude = scanned.magnitude ?? .max
            parts.append(scanned.isNegative && scanned.magnitude != nil ? 0 &- magnitude : magnitude)
            position += scanned.end
            guard parts.count < 3, position < bytes.count, bytes[position] == UInt8(ascii: ":") else { break }
            position += 1
        }
        guard position == bytes.count else { return nil }
        let slot = parts[parts.count - 1]
        let bus = parts.count >= 2 ? parts[parts.count - 2] : 0
        let domain = parts.count == 3 ? parts[0] : 0
        guard domain <= 0xffff, bus <= 0xff, slot <= 0x1f else { return nil }
        return (domain, bus, PCISlot(slot: UInt8(slot)))
    }
}
