/// An Ethernet MAC address: six octets, written `52:54:00:12:34:56`.
public struct MACAddress: Hashable, Sendable, LosslessStringConvertible {
    /// The octets, in the order they go on the wire.
    public var octets: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    /// Creates the address `a:b:c:d:e:f`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        octets = (a, b, c, d, e, f)
    }

    /// Reads an address as QEMU's `mac` device property does (`set_mac()` in
    /// `hw/core/qdev-properties-system.c`): exactly six pairs of hexadecimal
    /// digits, each of the five separators `:` or `-`, nothing more.
    public init?(_ description: String) {
        let bytes = Array(description.utf8)
        guard bytes.count == 17 else { return nil }
        var values: [UInt8] = []
        for start in stride(from: 0, to: 17, by: 3) {
            guard let high = bytes[start].hexDigitValue, let low = bytes[start + 1].hexDigitValue else { return nil }
            if start + 2 < 17, bytes[start + 2] != UInt8(ascii: ":"), bytes[start + 2] != UInt8(ascii: "-") {
                return nil
            }
            values.append(high << 4 | low)
        }
        self.init(values[0], values[1], values[2], values[3], values[4], values[5])
    }

    /// The octets as an array.
    public var bytes: [UInt8] {
        [octets.0, octets.1, octets.2, octets.3, octets.4, octets.5]
    }

    /// Lower-case hexadecimal pairs joined by `:`, as QEMU prints addresses.
    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    /// Whether the group bit, the lowest bit of the first octet, is set.
    public var isMulticast: Bool {
        octets.0 & 1 == 1
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.bytes == rhs.bytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }
}

/// The automatic addresses QEMU 7.2 gives NICs without a `mac`
/// (`qemu_macaddr_default_if_unset()` in `net/net.c`): `52:54:00:12:34:XX`,
/// with XX the first value from 0x56 up that no NIC created so far uses.
///
/// Addresses are handed out as NICs are created, so a NIC given
/// `52:54:00:12:34:57` only keeps later NICs off that value, never earlier ones.
struct MACAddressPool: Sendable {
    /// The NICs using each last octet in 0x56...0xfe, of addresses in QEMU's range.
    private var users = [Int](repeating: 0, count: 256)

    /// The address a NIC ends up with: `requested` when it is set, and the
    /// next automatic address when it is nil or all zeros, which QEMU
    /// treats as unset.
    mutating func assign(_ requested: MACAddress?) -> MACAddress {
        if let requested, requested != MACAddress(0, 0, 0, 0, 0, 0) {
            if requested.isInQEMURange { markUsed(requested.octets.5) }
            return requested
        }
        // qemu_macaddr_get_free() returns -1 once all are taken, which the
        // octet stores as 0xff, a value never marked used.
        let free = (0x56..<0xff).first { users[$0] == 0 } ?? 0xff
        markUsed(UInt8(free))
        return MACAddress(0x52, 0x54, 0x00, 0x12, 0x34, UInt8(free))
    }

    private mutating func markUsed(_ last: UInt8) {
        if (0x56..<0xff).contains(last) { users[Int(last)] += 1 }
    }
}

extension MACAddress {
    /// Whether the address starts with QEMU's automatic prefix 52:54:00:12:34.
    fileprivate var isInQEMURange: Bool {
        bytes.prefix(5) == [0x52, 0x54, 0x00, 0x12, 0x34]
    }
}

extension UInt8 {
    /// The value of an ASCII hexadecimal digit, or nil for any other byte.
    fileprivate var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
