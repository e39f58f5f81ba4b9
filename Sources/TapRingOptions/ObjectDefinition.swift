/// A `-object` option typed against QEMU 7.2's `ObjectOptions` union when
/// the command line is read (`object_option_parse()`): `qom-type`, `id`,
/// then, for `filter-dump` and `x-remote-object`, their members. TapRing
/// creates only those two; it refuses the others when QEMU would create them.
enum ObjectDefinition: Equatable, Sendable {
    case filterDump(id: String, FilterDumpMembers)
    case remoteObject(id: String, RemoteObjectMembers)
    /// A type QEMU creates and TapRing does not; a filter's `netdev`, which
    /// QEMU looks up as it creates it.
    case unsupported(String, filtering: String?)
    /// A type QEMU's schema lists but this build lacks (`user_creatable_add_type()`).
    case uncompiled(String)

    /// Reads an object; with `typingMembers` false, those of a type TapRing
    /// lacks are left unread.
    init(reading reader: inout OptionReader, typingMembers: Bool = true) throws(OptionDiagnostic) {
        guard let type = try reader.enumeration("qom-type", of: Self.schemaTypes) else {
            throw .missingParameter("qom-type")
        }
        let id = try reader.requiredString("id")
        switch type {
        case "filter-dump":
            self = .filterDump(id: id, try FilterDumpMembers(reading: &reader))
            try reader.rejectUnconsumedKeys()
        case "x-remote-object":
            self = .remoteObject(id: id, try RemoteObjectMembers(reading: &reader))
            try reader.rejectUnconsumedKeys()
        case _ where Self.uncompiledTypes.contains(type):
            self = .uncompiled(type)
        default:
            // The network objects TapRing lacks are typed all the same: QEMU
            // rejects their members before it would create them.
            let filtered = typingMembers ? try Self.readNetworkMembers(of: type, from: &reader) : nil
            self = .unsupported(type, filtering: filtered)
        }
    }

    /// Reads the members of the filters and `colo-compare`, as typed in QEMU
    /// 7.2's `qapi/qom.json`, leftovers refused: a filter's netdev, or nil.
    private static func readNetworkMembers(
        of type: String, from reader: inout OptionReader
    ) throws(OptionDiagnostic) -> String? {
        var filter: NetfilterMembers?
        switch type {
        case "filter-buffer":
            filter = try NetfilterMembers(reading: &reader)
            guard try reader.uint32("interval") != nil else { throw .missingParameter("interval") }
        case "filter-mirror":
            filter = try NetfilterMembers(reading: &reader)
            _ = try reader.requiredString("outdev")
            _ = try reader.bool("vnet_hdr_support")
        case "filter-redirector":
            filter = try NetfilterMembers(reading: &reader)
            _ = try reader.string("indev")
            _ = try reader.string("outdev")
            _ = try reader.bool("vnet_hdr_support")
        case "filter-rewriter":
            filter = try NetfilterMembers(reading: &reader)
            _ = try reader.bool("vnet_hdr_support")
        case "filter-replay":
            filter = try NetfilterMembers(reading: &reader)
        case "colo-compare":
            for required in ["primary_in", "secondary_in", "outdev", "iothread"] {
                _ = try reader.requiredString(required)
            }
            _ = try reader.string("notify_dev")
            _ = try reader.uint64("compare_timeout")
            _ = try reader.uint32("expired_scan_cycle")
            _ = try reader.uint32("max_queue_size")
            _ = try reader.bool("vnet_hdr_support")
        default:
            return nil
        }
        try reader.rejectUnconsumedKeys()
        return filter?.netdev
    }

    /// `ObjectType` in QEMU 7.2's `qapi/qom.json`, as built for Linux.
    private static let schemaTypes = [
        "authz-list", "authz-listfile", "authz-pam", "authz-simple", "can-bus", "can-host-socketcan", "colo-compare",
        "cryptodev-backend", "cryptodev-backend-builtin", "cryptodev-vhost-user", "dbus-vmstate", "filter-buffer",
        "filter-dump", "filter-mirror", "filter-redirector", "filter-replay", "filter-rewriter", "input-barrier",
        "input-linux", "iothread", "main-loop", "memory-backend-epc", "memory-backend-file", "memory-backend-memfd",
        "memory-backend-ram", "pef-guest", "pr-manager-helper", "qtest", "rng-builtin", "rng-egd", "rng-random",
        "secret", "secret_keyring", "sev-guest", "thread-context", "s390-pv-guest", "throttle-group",
        "tls-creds-anon", "tls-creds-psk", "tls-creds-x509", "tls-cipher-suites", "x-remote-object",
        "x-vfio-user-server",
    ]

    /// Schema types Debian's x86-64 build of QEMU 7.2 has no class for.
    private static let uncompiledTypes: Set<String> = [
        "authz-listfile", "authz-pam", "memory-backend-epc", "pef-guest", "s390-pv-guest",
    ]
}

/// `NetfilterProperties`, which every filter object's members start with:
/// `netdev`, `queue`, `status`, `position`, `insert`.
struct NetfilterMembers: Equatable, Sendable {
    var netdev: String
    var queue: PacketDumpOptions.Direction?
    var status, position: String?

    /// Reads an object; with `typingMembers` false, those of a type TapRing
    /// lacks are left unread.
    init(reading reader: inout OptionReader, typingMembers: Bool = true) throws(OptionDiagnostic) {
        netdev = try reader.requiredString("netdev")
        queue = try reader.enumeration("queue", of: ["all", "rx", "tx"]).flatMap(PacketDumpOptions.Direction.init)
        status = try reader.string("status")
        position = try reader.string("position")
        // Where among the netdev's filters: dumps change no frame, so their order has no effect.
        _ = try reader.enumeration("insert", of: ["before", "behind"])
    }
}

/// `FilterDumpProperties` in visiting order: `NetfilterProperties`, then
/// `file` and `maxlen`.
struct FilterDumpMembers: Equatable, Sendable {
    var netdev: String
    var queue: PacketDumpOptions.Direction?
    var status, position: String?
    var file: String
    var maxlen: UInt32?

    /// Reads an object; with `typingMembers` false, those of a type TapRing
    /// lacks are left unread.
    init(reading reader: inout OptionReader, typingMembers: Bool = true) throws(OptionDiagnostic) {
        let filter = try NetfilterMembers(reading: &reader)
        (netdev, queue, status, position) = (filter.netdev, filter.queue, filter.status, filter.position)
        file = try reader.requiredString("file")
        maxlen = try reader.uint32("maxlen")
    }
}
