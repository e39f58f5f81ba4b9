/// The netdevs a QEMU-style command line asks for, fully validated, ready
/// to be created in order.
///
/// Parsing touches nothing on the system: descriptors, interfaces and scripts
/// are only named here.
public struct NetworkPlan: Equatable, Sendable {
    /// One `-netdev`, typed and joined to its peer.
    public struct Netdev: Equatable, Sendable {
        /// The netdev's `id=`.
        public var id: String
        /// What the netdev is, with its options.
        public var backend: NetdevBackend
        /// Index in `netdevs` of the netdev joined to this one by a hubport's `netdev=` (set on both ends).
        public var peer: Int?
        /// The option as typed, for messages: "-netdev tap,id=a,ifname=ta0".
        public var location: String

        /// Creates a netdev entry; `parse(_:)` is the usual source of these.
        public init(id: String, backend: NetdevBackend, peer: Int? = nil, location: String) {
            self.id = id
            self.backend = backend
            self.peer = peer
            self.location = location
        }
    }

    /// The netdevs, in command-line order.
    public var netdevs: [Netdev]
    /// What QEMU 7.2 would warn about, in the order it would: each prefixed
    /// with its option's location, such as
    /// `-netdev tap,id=t,vnet_hdr: warning: short-form boolean option 'vnet_hdr' deprecated`
    /// followed by `\nPlease use vnet_hdr=on instead`, or global, such as
    /// `warning: netdev t has no peer`.
    public var warnings: [String]

    /// Creates a plan; `parse(_:)` is the usual source of plans.
    public init(netdevs: [Netdev], warnings: [String] = []) {
        self.netdevs = netdevs
        self.warnings = warnings
    }
}

extension NetworkPlan {
    /// Parses and validates argv-style words such as
    /// `["-netdev", "tap,id=a,ifname=ta0", "-netdev", "hubport,id=p,hubid=0,netdev=a"]`.
    ///
    /// Checks run in QEMU's order, so the first problem reported is the one
    /// QEMU would report:
    /// 1. the words themselves (`lookup_opt()`);
    /// 2. each option's syntax and id, all options first (`net_client_parse()`);
    /// 3. each netdev's members and peer, one netdev at a time (`net_init_clients()`).
    ///
    /// - Throws: The first problem found, located at the option that has it.
    public static func parse(_ arguments: [String]) throws(OptionError) -> NetworkPlan {
        let commandLine = try NetworkCommandLine(arguments)
        var warnings: [String] = []

        var declarations: [(argument: NetdevArgument, opts: QemuOpts)] = []
        var ids: Set<String> = []
        for argument in commandLine.netdevs {
            let opts = QemuOpts(parsing: argument.value)
            warnings += opts.warnings.map(argument.warning)
            try argument.attributing { () throws(OptionDiagnostic) in
                try register(opts.id, in: &ids)
            }
            declarations.append((argument, opts))
        }

        var graph = NetdevGraph()
        for (argument, opts) in declarations {
            var reader = OptionReader(opts)
            try argument.attributing { () throws(OptionDiagnostic) in
                let definition = try NetdevDefinition(reading: &reader)
                try graph.add(Netdev(id: definition.id, backend: definition.backend, location: argument.location))
            }
            warnings += reader.warnings.map(argument.warning)
        }
        return NetworkPlan(netdevs: graph.netdevs, warnings: warnings + graph.peerlessWarnings)
    }

    /// Claims `id` for a new netdev, as `qemu_opts_create()` does; options
    /// without an id pass here and fail later, when their members are read.
    private static func register(_ id: String?, in ids: inout Set<String>) throws(OptionDiagnostic) {
        guard let id else { return }
        guard id.isQemuIdentifier else { throw .malformedIdentifier }
        guard ids.insert(id).inserted else { throw OptionDiagnostic("Duplicate ID '\(id)' for netdev") }
    }
}
