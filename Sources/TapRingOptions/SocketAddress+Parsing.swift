/// A `SocketAddress` as `visit_type_SocketAddress()` reads it (`qapi/sockets.json`):
/// the `type` discriminator, then that branch's members, then any key left
/// over. Each netdev then decides what it accepts.
enum SocketAddressMembers: Equatable, Sendable {
    case inet(SocketAddress.InetAddress)
    case unix(path: String, abstract: Bool, tight: Bool)
    /// QEMU's `VsockSocketAddress`: `cid` and `port`, as typed.
    case vsock(cid: String, port: String)
    /// A descriptor's number or monitor name (`str`), as typed.
    case fd(String)

    private enum Kind: String, CaseIterable {
        case inet, unix, vsock, fd
    }

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let typeName = try reader.enumeration("type", of: Kind.allCases.map(\.rawValue)),
              let kind = Kind(rawValue: typeName)
        else { throw .missingParameter(reader.fullName("type")) }
        switch kind {
        case .inet:
            let host = try reader.requiredString("host")
            let port = try reader.requiredString("port")
            // InetSocketAddress's order, so that type errors come in QEMU's.
            let numeric = try reader.bool("numeric") ?? false
            let to = try reader.uint16("to")
            let (ipv4, ipv6) = (try reader.bool("ipv4"), try reader.bool("ipv6"))
            let (keepAlive, mptcp) = (try reader.bool("keep-alive"), try reader.bool("mptcp"))
            self = .inet(SocketAddress.InetAddress(
                host: host, port: port, numeric: numeric, ipv4: ipv4, ipv6: ipv6, to: to, keepAlive: keepAlive,
                mptcp: mptcp))
        case .unix:
            let path = try reader.requiredString("path")
            self = .unix(path: path, abstract: try reader.bool("abstract") ?? false,
                tight: try reader.bool("tight") ?? true)
        case .vsock:
            let cid = try reader.requiredString("cid")
            self = .vsock(cid: cid, port: try reader.requiredString("port"))
        case .fd:
            self = .fd(try reader.requiredString("str"))
        }
        try reader.rejectUnconsumedKeys()
    }

    /// Reads the optional struct member `name` of `reader`, or returns nil
    /// when it is absent.
    static func read(_ name: String, from reader: inout OptionReader) throws(OptionDiagnostic) -> Self? {
        guard var nested = try reader.object(name) else { return nil }
        return try Self(reading: &nested)
    }

    /// A descriptor given by number, as `monitor_fd_param()` reads one when
    /// QEMU starts: with no monitor to look names up in, a name is no number.
    static func descriptor(_ text: String) throws(OptionDiagnostic) -> Int32 {
        guard let descriptor = OptionValue.fileDescriptor(text) else {
            throw OptionDiagnostic("Invalid file descriptor number '\(text)'")
        }
        return descriptor
    }
}
