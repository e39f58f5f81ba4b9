import Glibc

/// An IPv4 address as QEMU reads it: with the C library's `inet_aton()`,
/// which also takes the short forms `127.1` and `0x7f.1`, octal parts and
/// anything after a blank.
struct IPv4Address: Equatable, Sendable {
    /// The address in host byte order.
    var value: UInt32

    init(value: UInt32) {
        self.value = value
    }

    init?(inetATON text: String) {
        var address = in_addr()
        guard inet_aton(text, &address) != 0 else { return nil }
        value = UInt32(bigEndian: address.s_addr)
    }

    /// The address as `inet_ntoa()` writes it.
    var dottedQuad: String {
        [24, 16, 8, 0].map { String(value >> $0 & 0xff) }.joined(separator: ".")
    }

    /// Whether the address is in 224.0.0.0/4 (`IN_MULTICAST()`).
    var isMulticast: Bool {
        value & 0xf000_0000 == 0xe000_0000
    }
}
