/// The netdevs and guest NICs a QEMU-style command line asks for, fully
/// validated, ready to be created in order.
///
/// Parsing touches nothing on the system: descriptors, interfaces, scripts,
/// sockets and host names are only named here.
public struct NetworkPlan: Equatable, Sendable {
    /// One `-netdev`, typed and joined to its peer.
    public struct Netdev: Equatable, Sendable {
        /// The netdev's `id=`.
        public var id: String
        /// What the netdev is, with its options.
        public var backend: NetdevBackend
        /// Index in `netdevs` of the netdev joined to this one by a hubport's `netdev=` (set on both ends).
        public var peer: Int?
        /// Index in `devices` of the guest NIC whose `netdev=` names this netdev.
        ///
        /// A netdev has at most one peer: `peer` and `device` are never both set.
        public var device: Int?
        /// The option as typed, for messages: "-netdev tap,id=a,ifname=ta0".
        public var location: String

        /// Creates a netdev entry; `parse(_:)` is the usual source of these.
        public init(id: String, backend: NetdevBackend, peer: Int? = nil, device: Int? = nil, location: String) {
            self.id = id
            self.backend = backend
            self.peer = peer
            self.device = device
            self.location = location
        }
    }

    /// One `-device` guest NIC, with QEMU's defaults applied.
    public struct Device: Equatable, Sendable {
        /// The device's `id=`; QEMU then names its network client after it.
        public var id: String?
        /// The NIC model (`driver`).
        public var model: NICModel
        /// Index in `netdevs` of the netdev named by `netdev=`, the NIC's peer;
        /// nil when the NIC is connected to nothing.
        public var netdev: Int?
        /// `mac=`, or the automatic address QEMU would give the NIC
        /// (`52:54:00:12:34:56`, then `…:57` and on, skipping addresses earlier NICs use).
        public var mac: MACAddress
        /// `addr=`; nil leaves the choice of slot to the bus.
        public var pciSlot: PCISlot?
        /// `mitigation=`: interrupt mitigation (default on).
        public var mitigation: Bool
        /// `autonegotiation=`: link auto-negotiation (default on).
        public var autonegotiation: Bool
        /// The option as typed, for messages: "-device e1000,netdev=a".
        public var location: String

        /// Creates a device entry; `parse(_:)` is the usual source of these.
        public init(
            id: String? = nil, model: NICModel = .e1000, netdev: Int? = nil, mac: MACAddress,
            pciSlot: PCISlot? = nil, mitigation: Bool = true, autonegotiation: Bool = true, location: String
        ) {
            self.id = id
            self.model = model
            self.netdev = netdev
            self.mac = mac
            self.pciSlot = pciSlot
            self.mitigation = mitigation
            self.autonegotiation = autonegotiation
            self.location = location
        }
    }

    /// The netdevs, in command-line order.
    public var netdevs: [Netdev]
    /// The guest NICs, in command-line order.
    public var devices: [Device]
    /// The `-object filter-dump` packet captures, in command-line order.
    public var dumps: [PacketDumpOptions]
    /// What QEMU 7.2 would warn about, in the order it would: each prefixed
    /// with its option's location, such as
    /// `-netdev tap,id=t,vnet_hdr: warning: short-form boolean option 'vnet_hdr' deprecated`
    /// followed by `\nPlease use vnet_hdr=on instead`, or global, such as
    /// `warning: netdev t has no peer` or `warning: nic e1000.0 has no peer`.
    public var warnings: [String]

    /// Creates a plan; `parse(_:)` is the usual source of plans.
    public init(netdevs: [Netdev], devices: [Device] = [], dumps: [PacketDumpOptions] = [], warnings: [String] = []) {
        self.netdevs = netdevs
        self.devices = devices
        self.dumps = dumps
        self.warnings = warnings
    }
}

extension NetworkPlan {
    /// Parses and validates argv-style words such as
    /// `["-netdev", "tap,id=a,ifname=ta0", "-device", "e1000,netdev=a"]`;
    /// `--netdev` and `--device` are taken too.
    ///
    /// Checks run in QEMU's order, so the first problem reported is the one
    /// QEMU would report:
    /// 1. the words themselves (`lookup_opt()`);
    /// 2. each option's syntax and id, all options first, in command-line order;
    /// 3. a device asking for help (`qemu_process_help_options()`);
    /// 4. each netdev's members and peer, one netdev at a time (`net_init_clients()`);
    /// 5. each device's driver and properties, one device at a time, after
    ///    every netdev (`qemu_create_cli_devices()`).
    ///
    /// - Throws: The first problem found, located at the option that has it.
    public static func parse(_ arguments: [String]) throws(OptionError) -> NetworkPlan {
        let commandLine = try NetworkCommandLine(arguments)
        var warnings: [String] = []

        var netdevDeclarations: [(argument: OptionArgument, opts: QemuOpts)] = []
        var deviceDeclarations: [(argument: OptionArgument, opts: QemuOpts)] = []
        var netdevIDs: Set<String> = []
        var deviceIDs: Set<String> = []
        for argument in commandLine.options {
            switch argument.kind {
            case .netdev:
                let opts = QemuOpts(parsing: argument.value)
                warnings += opts.warnings.map(argument.warning)
                try argument.attributing { () throws(OptionDiagnostic) in
                    try register(opts.id, in: &netdevIDs, list: "netdev")
                }
                netdevDeclarations.append((argument, opts))
            case .device:
                try argument.attributing { () throws(OptionDiagnostic) in
                    // QEMU 7.2 reads `-device {...}` as JSON.
                    if argument.value.hasPrefix("{") {
                        throw OptionDiagnostic("JSON syntax for -device is not supported by TapRing")
                    }
                }
                let opts = QemuOpts(parsing: argument.value, impliedName: "driver")
                warnings += opts.warnings.map(argument.warning)
                try argument.attributing { () throws(OptionDiagnostic) in
                    try register(opts.id, in: &deviceIDs, list: "device")
                }
                deviceDeclarations.append((argument, opts))
            }
        }

        let devices = deviceDeclarations.map { ($0.argument, $0.opts.id, DeviceDefinition($0.opts)) }
        for (argument, _, definition) in devices where definition.asksForHelp {
            throw OptionError(location: argument.location, diagnostic: .unsupportedParameter("help"))
        }

        var graph = NetdevGraph()
        for (argument, opts) in netdevDeclarations {
            var reader = OptionReader(opts)
            try argument.attributing { () throws(OptionDiagnostic) in
                let definition = try NetdevDefinition(reading: &reader)
                try graph.add(Netdev(id: definition.id, backend: definition.backend, location: argument.location))
            }
            warnings += reader.warnings.map(argument.warning)
        }

        var nics = GuestNICs()
        for (argument, id, definition) in devices {
            try argument.attributing { () throws(OptionDiagnostic) in
                try nics.add(definition, id: id, location: argument.location, graph: &graph)
            }
        }
        return NetworkPlan(
            netdevs: graph.netdevs, devices: nics.devices,
            warnings: warnings + graph.peerlessWarnings + nics.peerlessWarnings)
    }

    /// Claims `id` in one of QEMU's option lists (`netdev`, `device`), as
    /// `qemu_opts_create()` does; options without an id pass here.
    private static func register(_ id: String?, in ids: inout Set<String>, list: String) throws(OptionDiagnostic) {
        guard let id else { return }
        guard id.isQemuIdentifier else { throw .malformedIdentifier }
        guard ids.insert(id).inserted else { throw OptionDiagnostic("Duplicate ID '\(id)' for \(list)") }
    }
}
