/// A `-object` option typed against QEMU 7.2's `ObjectOptions` union when
/// the command line is read (`object_option_parse()`): `qom-type`, `id`,
/// then, for `filter-dump` and `x-remote-object`, their members. TapRing
/// creates only those two; it refuses the others when QEMU would create them.
enum ObjectDefinition: Equatable, Sendable {
    case filterDump(id: String, FilterDumpMembers)
    case remoteObject(id: String, RemoteObjectMembers)
    /// A type QEMU creates and TapRing does not.
    case unsupported(String)
    /// A type QEMU's schema lists but this build lacks (`user_creatable_add_type()`).
    case uncompiled(String)

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let type = try reader.enumeration("qom-type", of: Self.schemaTypes) else {
            throw .missingParameter("qom-type")
        }
        guard let id = try reader.string("id") else { throw .missingParameter("id") }
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
            self = .unsupported(type)
        }
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

/// `FilterDumpProperties` in visiting order: `NetfilterProperties` (`netdev`,
/// `queue`, `status`, `position`, `insert`), then `file` and `maxlen`.
struct FilterDumpMembers: Equatable, Sendable {
    var netdev: String
    var queue: PacketDumpOptions.Direction?
    var status, position: String?
    var file: String
    var maxlen: UInt32?

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let netdev = try reader.string("netdev") else { throw .missingParameter("netdev") }
        self.netdev = netdev
        queue = try reader.enumeration("queue", of: ["all", "rx", "tx"]).flatMap(PacketDumpOptions.Direction.init)
        status = try reader.string("status")
        position = try reader.string("position")
        // Where among the netdev's filters: dumps change no frame, so their order has no effect.
        _ = try reader.enumeration("insert", of: ["before", "behind"])
        guard let file = try reader.string("file") else { throw .missingParameter("file") }
        self.file = file
        maxlen = try reader.uint32("maxlen")
    }
}
