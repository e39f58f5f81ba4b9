extension MACAddress {
    /// Reads `-nic ...,mac=` and `-net nic,macaddr=` as QEMU's
    /// `net_parse_macaddr()` does (`net/net.c`), which is laxer than the
    /// `mac` property of `-device`:
    ///
    /// - a whole number from 0 to 0xffffff (`strtol()` in base 0) sets just
    ///   the last three octets, the others staying 0, so `0x10` is
    ///   `00:00:00:00:00:10` and `0` or the empty string is all zeros;
    /// - otherwise six `strtol()` numbers in base 16, cut to a byte each,
    ///   separated by `:` or `-`: `1:2:3:4:5:6`, `+52:54:0:12:34:56`, and even
    ///   `:::::`, whose empty parts read as 0.
    init?(legacySyntax text: String) {
        let bytes = Array(text.utf8)
        // strtol() converts nothing in an empty string and reports no error.
        let offset = bytes.isEmpty ? 0 : ScannedInteger(scanning: bytes, base: 0).flatMap { scanned in
            scanned.end == bytes.count && (!scanned.isNegative || scanned.magnitude == 0) ? scanned.magnitude : nil
        }
        if let offset, offset <= 0xff_ffff {
            self.init(0, 0, 0, UInt8(offset >> 16), UInt8(offset >> 8 & 0xff), UInt8(offset & 0xff))
            return
        }
        var octets: [UInt8] = []
        var position = 0
        for index in 0..<6 {
            let (octet, end) = Self.strtolByte(bytes, from: position)
            octets.append(octet)
            position = end
            if index == 5 {
                guard position == bytes.count else { return nil }
            } else {
                guard position < bytes.count,
                    bytes[position] == UInt8(ascii: ":") || bytes[position] == UInt8(ascii: "-")
                else { return nil }
                position += 1
            }
        }
        self.init(octets[0], octets[1], octets[2], octets[3], octets[4], octets[5])
    }

    /// `strtol(p, &end, 16)` stored in a byte: the value cut to 8 bits,
    /// `LONG_MAX` or `LONG_MIN` on overflow, and 0 with `end` unmoved when
    /// there are no digits.
    private static func strtolByte(_ bytes: [UInt8], from start: Int) -> (UInt8, Int) {
        guard let scanned = ScannedInteger(scanning: Array(bytes[start...]), base: 16) else { return (0, start) }
        let end = start + scanned.end
        guard let magnitude = scanned.magnitude else { return (scanned.isNegative ? 0x00 : 0xff, end) }
        if scanned.isNegative {
            return (magnitude > Int64.min.magnitude ? 0x00 : UInt8(truncatingIfNeeded: 0 &- magnitude), end)
        }
        return (magnitude > UInt64(Int64.max) ? 0xff : UInt8(truncatingIfNeeded: magnitude), end)
    }
}
