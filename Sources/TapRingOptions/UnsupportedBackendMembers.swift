/// The members of backends QEMU 7.2 has and TapRing does not, read as
/// `visit_type_Netdev()` reads them (`qapi/net.json`), so that an option QEMU
/// would reject is rejected in its words before TapRing says it lacks the
/// backend, where QEMU would create it.
enum UnsupportedBackendMembers {
    /// Reads the members of a `type` backend; true when TapRing knows them.
    static func read(_ type: NetdevType, from reader: inout OptionReader) throws(OptionDiagnostic) -> Bool {
        switch type {
        case .user: try readUser(&reader)
        case .vde:  // NetdevVdeOptions
            _ = try reader.string("sock")
            _ = try reader.uint16("port")
            _ = try reader.string("group")
            _ = try reader.uint16("mode")
        case .l2tpv3: try readL2TPv3(&reader)
        default: return false
        }
        return true
    }

    /// NetdevUserOptions.
    private static func readUser(_ reader: inout OptionReader) throws(OptionDiagnostic) {
        _ = try reader.string("hostname")
        for flag in ["restrict", "ipv4", "ipv6"] { _ = try reader.bool(flag) }
        for text in ["ip", "net", "host", "tftp", "bootfile", "dhcpstart", "dns"] { _ = try reader.string(text) }
        try reader.skipList("dnssearch")
        _ = try reader.string("domainname")
        _ = try reader.string("ipv6-prefix")
        _ = try reader.int64("ipv6-prefixlen")
        for text in ["ipv6-host", "ipv6-dns", "smb", "smbserver"] { _ = try reader.string(text) }
        try reader.skipList("hostfwd")
        try reader.skipList("guestfwd")
        _ = try reader.string("tftp-server-name")
    }

    /// NetdevL2TPv3Options.
    private static func readL2TPv3(_ reader: inout OptionReader) throws(OptionDiagnostic) {
        _ = try reader.requiredString("src")
        _ = try reader.requiredString("dst")
        _ = try reader.string("srcport")
        _ = try reader.string("dstport")
        for flag in ["ipv6", "udp", "cookie64", "counter", "pincounter"] { _ = try reader.bool(flag) }
        _ = try reader.uint64("txcookie")
        _ = try reader.uint64("rxcookie")
        guard try reader.uint32("txsession") != nil else { throw .missingParameter("txsession") }
        _ = try reader.uint32("rxsession")
        _ = try reader.uint32("offset")
    }
}
