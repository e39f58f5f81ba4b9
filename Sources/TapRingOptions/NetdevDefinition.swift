/// A `-netdev` option typed against QEMU's `Netdev` union, in the order
/// `visit_type_Netdev()` visits it: `id`, then `type`, then the members of
/// the chosen backend, then any key left over.
///
/// `backend()` then applies the checks of the backend's `net_init_*()`,
/// which QEMU makes when it creates the netdev: for a legacy `-netdev`,
/// right after reading it; for a modern one, read when the command line is.
struct NetdevDefinition: Equatable, Sendable {
    /// What `visit_type_Netdev()` read for the chosen backend.
    enum Members: Equatable, Sendable {
        case tap(TapMembers)
        case hubport(HubPortOptions)
        case socket(SocketMembers)
        case stream(StreamMembers)
        case dgram(DgramMembers)
        /// `NetdevBridgeOptions`: the bridge and the helper.
        case bridge(br: String?, helper: String?)
        case nic(NICMembers)
        /// `none` or `netmap`, whose members were read; or a backend TapRing
        /// lacks, whose members were not.
        case other
    }

    var id: String
    var type: NetdevType
    var members: Members

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let id = try reader.string("id") else { throw .missingParameter("id") }
        guard let typeName = try reader.string("type") else { throw .missingParameter("type") }
        guard let type = NetdevType(rawValue: typeName) else {
            throw .unacceptedValue(typeName, for: "type")
        }
        (self.id, self.type) = (id, type)
        switch type {
        case .tap: members = .tap(try TapMembers(reading: &reader))
        case .hubport: members = .hubport(try HubPortOptions(reading: &reader))
        case .socket: members = .socket(try SocketMembers(reading: &reader))
        case .stream: members = .stream(try StreamMembers(reading: &reader))
        case .dgram: members = .dgram(try DgramMembers(reading: &reader))
        case .nic: members = .nic(try NICMembers(reading: &reader))
        case .bridge: members = .bridge(br: try reader.string("br"), helper: try reader.string("helper"))
        case .noBackend:
            members = .other
        case .netmap:  // NetdevNetmapOptions
            guard try reader.string("ifname") != nil else { throw .missingParameter("ifname") }
            _ = try reader.string("devname")
            members = .other
        case .user, .l2tpv3, .vde, .vhostUser, .vhostVDPA:
            members = .other
            guard try UnsupportedBackendMembers.read(type, from: &reader) else { return }
        }
        try reader.rejectUnconsumedKeys()
    }

    /// Refuses, as `net_client_init1()` does first, a type QEMU 7.2 cannot
    /// create as a netdev: `nic`, `none` and `netmap`. The backends TapRing
    /// lacks are refused later, where QEMU would create them (`backend()`).
    func checkCreatable() throws(OptionDiagnostic) {
        switch members {
        case .nic: throw refusal
        case .other where !type.isUnsupported: throw refusal
        default: break
        }
    }

    /// The backend the netdev creates, checked as `net_init_<type>()` checks it.
    func backend() throws(OptionDiagnostic) -> NetdevBackend {
        switch members {
        case .tap(let tap): return .tap(try TapOptions(tap))
        case .hubport(let port): return .hubport(port)
        case .socket(let socket): return .socket(try SocketOptions(socket))
        case .stream(let stream): return .stream(StreamOptions(stream))
        case .dgram(let dgram): return .dgram(try DgramOptions(dgram))
        case .bridge(let bridge, let helper):
            // net_init_bridge(): a tap the helper opens, with no scripts.
            let request = BridgeHelper(
                command: helper ?? BridgeHelper.defaultCommand, bridge: bridge ?? BridgeHelper.defaultBridge)
            return .tap(TapOptions(bridgeHelper: request, script: nil, downscript: nil))
        case .nic, .other: throw refusal
        }
    }

    /// The backend of a `-net`, which QEMU puts on a port of hub 0:
    /// `net_init_tap()` first refuses a tap asking for queues, which a hub
    /// port does not have, even `queues=1`.
    func backendOnHub() throws(OptionDiagnostic) -> NetdevBackend {
        if case .tap(let tap) = members, tap.queues != nil || tap.fds != nil || tap.vhostfds != nil {
            throw OptionDiagnostic("Multiqueue tap cannot be used with hubs")
        }
        return try backend()
    }

    private var refusal: OptionDiagnostic {
        OptionDiagnostic("network backend '\(type.rawValue)' is "
            + (type.isUnsupported ? "not supported by TapRing" : "not compiled into this binary"))
    }
}

/// The values of `type` QEMU 7.2 accepts on Linux (`NetClientDriver`).
enum NetdevType: String, Sendable {
    case noBackend = "none"
    case nic, user, tap, l2tpv3, socket, stream, dgram, vde, bridge, hubport, netmap
    case vhostUser = "vhost-user"
    case vhostVDPA = "vhost-vdpa"

    /// A backend QEMU 7.2 has and TapRing does not.
    var isUnsupported: Bool {
        switch self {
        case .user, .l2tpv3, .vde, .vhostUser, .vhostVDPA: true
        default: false
        }
    }
}

/// `NetLegacyNicOptions`: what `-net nic` takes, which `-netdev nic` reads too.
struct NICMembers: Equatable, Sendable {
    var netdev, macaddr, model, addr: String?
    var vectors: UInt32?

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        netdev = try reader.string("netdev")
        macaddr = try reader.string("macaddr")
        model = try reader.string("model")
        addr = try reader.string("addr")
        vectors = try reader.uint32("vectors")
    }
}

extension HubPortOptions {
    /// Reads `hubid` and `netdev`.
    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let hubID = try reader.int32("hubid") else { throw .missingParameter("hubid") }
        self.init(hubID: hubID, netdev: try reader.string("netdev"))
    }
}
