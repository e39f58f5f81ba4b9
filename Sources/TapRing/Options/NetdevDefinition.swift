/// A `-netdev` option typed against QEMU's `Netdev` union, in the order
/// `visit_type_Netdev()` visits it: `id`, then `type`, then the members of
/// the chosen backend, then any key left over.
struct NetdevDefinition: Equatable, Sendable {
    var id: String
    var backend: NetdevBackend

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let id = reader.string("id") else { throw .missingParameter("id") }
        guard let typeName = reader.string("type") else { throw .missingParameter("type") }
        guard let type = NetdevType(rawValue: typeName) else {
            throw .unacceptedValue(typeName, for: "type")
        }
        self.id = id
        switch type {
        case .tap:
            backend = .tap(try TapOptions(reading: &reader))
        case .hubport:
            backend = .hubport(try HubPortOptions(reading: &reader))
        case .socket:
            backend = .socket(try SocketOptions(reading: &reader))
        case .nic, .noBackend, .netmap:
            try Self.rejectUncompiled(type, reading: &reader)
        case .user, .l2tpv3, .stream, .dgram, .vde, .bridge, .vhostUser, .vhostVDPA:
            throw OptionDiagnostic("network backend '\(typeName)' is not supported by TapRing")
        }
    }
}

extension NetdevDefinition {
    /// Refuses a backend a Linux 7.2 build lists but cannot create, after
    /// reading its members as QEMU still does (`net_client_init1()`).
    private static func rejectUncompiled(
        _ type: NetdevType, reading reader: inout OptionReader
    ) throws(OptionDiagnostic) -> Never {
        switch type {
        case .nic:  // NetLegacyNicOptions
            for name in ["netdev", "macaddr", "model", "addr"] { _ = reader.string(name) }
            _ = try reader.uint32("vectors")
        case .netmap:  // NetdevNetmapOptions
            guard reader.string("ifname") != nil else { throw .missingParameter("ifname") }
            _ = reader.string("devname")
        default:
            break  // `none` has no members
        }
        try reader.rejectUnconsumedKeys()
        throw OptionDiagnostic("network backend '\(type.rawValue)' is not compiled into this binary")
    }
}

/// The values of `type` QEMU 7.2 accepts on Linux (`NetClientDriver`).
enum NetdevType: String, Sendable {
    case noBackend = "none"
    case nic, user, tap, l2tpv3, socket, stream, dgram, vde, bridge, hubport, netmap
    case vhostUser = "vhost-user"
    case vhostVDPA = "vhost-vdpa"
}

extension HubPortOptions {
    /// Reads `hubid` and `netdev`, then rejects any other key.
    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let hubID = try reader.int32("hubid") else { throw .missingParameter("hubid") }
        let netdev = reader.string("netdev")
        try reader.rejectUnconsumedKeys()
        self.init(hubID: hubID, netdev: netdev)
    }
}
