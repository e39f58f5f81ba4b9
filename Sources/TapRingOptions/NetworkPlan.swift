/// The netdevs and guest NICs a QEMU-style command line asks for, fully
/// validated, ready to be created in order.
///
/// Parsing touches nothing on the system: descriptors, interfaces, scripts,
/// sockets and host names are only named here.
public struct NetworkPlan: Equatable, Sendable {
    /// One netdev, typed and joined to its peer: a `-netdev`, the netdev of
    /// a `-nic`, a `-net` backend, or a port of hub 0 that a `-net` adds.
    public struct Netdev: Equatable, Sendable {
        /// The netdev's `id=`, which is also its client name; QEMU's name for
        /// those it makes up: `hub0port<n>` for a port a `-net` adds to hub
        /// 0, `#net<n>` for a `-nic` or `-net` without an id.
        public var id: String
        /// What the netdev is, with its options.
        public var backend: NetdevBackend
        /// Index in `netdevs` of the netdev joined to this one by a hubport's `netdev=` (set on both ends).
        public var peer: Int?
        /// Index in `devices` of the guest NIC peered with this netdev.
        ///
        /// A netdev has at most one peer: `peer` and `device` are never both set.
        public var device: Int?
        /// The option as typed, for messages: "-netdev tap,id=a,ifname=ta0".
        public var location: String
        /// What QEMU 7.2 warns about as it reads this netdev's options, which
        /// it does just before it creates the netdev, so after the netdevs
        /// before it are created: `-netdev tap,id=t,sndbuf=0x1k: warning:
        /// Using a multiplier suffix on hex numbers is deprecated: 0x1k`.
        public var warnings: [String]

        /// Creates a netdev entry; `parse(_:)` is the usual source of these.
        public init(
            id: String, backend: NetdevBackend, peer: Int? = nil, device: Int? = nil, location: String,
            warnings: [String] = []
        ) {
            self.id = id
            self.backend = backend
            self.peer = peer
            self.device = device
            self.location = location
            self.warnings = warnings
        }
    }

    /// One guest NIC, of a `-device`, a `-nic` or a `-net nic`, with QEMU's defaults applied.
    public struct Device: Equatable, Sendable {
        /// The device's `id=`; QEMU then names its network client after it.
        /// NICs of `-nic` and `-net nic` have none.
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
        /// `init-vet=`: VET holds 0x8100 after a reset (default on), or else 0.
        public var initializesVET: Bool
        /// `extra_mac_registers=`: the statistics, FIFO and wake-up registers
        /// of QEMU's `E1000_FLAG_MAC` answer (default on), or read 0 and ignore writes.
        public var extraMACRegisters: Bool
        /// The option as typed, for messages: "-device e1000,netdev=a", "-nic tap".
        public var location: String

        /// Creates a device entry; `parse(_:)` is the usual source of these.
        public init(
            id: String? = nil, model: NICModel = .e1000, netdev: Int? = nil, mac: MACAddress,
            pciSlot: PCISlot? = nil, mitigation: Bool = true, autonegotiation: Bool = true,
            initializesVET: Bool = true, extraMACRegisters: Bool = true, location: String
        ) {
            self.id = id
            self.model = model
            self.netdev = netdev
            self.mac = mac
            self.pciSlot = pciSlot
            self.mitigation = mitigation
            self.autonegotiation = autonegotiation
            self.initializesVET = initializesVET
            self.extraMACRegisters = extraMACRegisters
            self.location = location
        }

        /// The network client name QEMU gives each of `devices`, NICs in the
        /// order it creates them: the id, or the model and how many NICs of
        /// that model came before, named or not (`assign_name()`): `e1000.0`.
        public static func clientNames(of devices: [Device]) -> [String] {
            devices.indices.map { index in
                let device = devices[index]
                return device.id ?? "\(device.model.rawValue).\(devices[..<index].count { $0.model == device.model })"
            }
        }
    }

    /// The netdevs, in the order QEMU creates them: the modern `-netdev`s
    /// (`stream`, `dgram` and JSON), then the others, then those of each
    /// `-nic`, then those of each `-net`, each in command-line order.
    public var netdevs: [Netdev]
    /// The guest NICs, in the order QEMU creates them: those of `-nic`, then
    /// of `-net nic`, then each `-device`, QemuOpts ones before JSON ones.
    public var devices: [Device]
    /// The `-object filter-dump` packet captures, in command-line order.
    public var dumps: [PacketDumpOptions]
    /// `-machine x-remote`, when the command line makes TapRing a device process.
    public var machine: RemoteMachine?
    /// The machine the plan was parsed for (`parse(_:machine:)`), whose own
    /// PCI devices the NICs leave their functions to, unless `machine` is set.
    public var board: BoardMachine
    /// The NICs a VM drives through `-object x-remote-object`, in command-line order.
    public var remoteDevices: [RemoteDevice]
    /// What QEMU 7.2 would warn about as it reads the options, in the order
    /// it would: each prefixed with its option's location, such as
    /// `-netdev tap,id=t,vnet_hdr: warning: short-form boolean option 'vnet_hdr' deprecated`
    /// followed by `\nPlease use vnet_hdr=on instead`. A netdev's own
    /// warnings are not here but in its `Netdev.warnings`, which QEMU prints
    /// as it comes to create that netdev.
    public var warnings: [String]
    /// What QEMU 7.2 warns about once it has created every netdev and NIC
    /// (`net_check_clients()`), and only then: each hub port, netdev and NIC
    /// left without a peer, such as `warning: netdev t has no peer` or
    /// `warning: nic e1000.0 has no peer`.
    public var peerWarnings: [String]
    /// What an option asking for help gets, as QEMU 7.2 answers it; the
    /// plan then holds only the netdevs QEMU creates before it answers
    /// (`Engine.failureCreating(_:diagnostics:)` creates them, without NICs),
    /// and the command line's options after that one went unread, as QEMU
    /// leaves them.
    public var help: HelpAnswer?

    /// Creates a plan; `parse(_:)` is the usual source of plans.
    public init(
        netdevs: [Netdev], devices: [Device] = [], dumps: [PacketDumpOptions] = [], machine: RemoteMachine? = nil,
        board: BoardMachine = .pc, remoteDevices: [RemoteDevice] = [], warnings: [String] = [],
        peerWarnings: [String] = [], help: HelpAnswer? = nil
    ) {
        self.netdevs = netdevs
        self.devices = devices
        self.dumps = dumps
        self.machine = machine
        self.board = board
        self.remoteDevices = remoteDevices
        self.warnings = warnings
        self.peerWarnings = peerWarnings
        self.help = help
    }
}

extension NetworkPlan {
    /// Parses and validates argv-style words such as
    /// `["-netdev", "tap,id=a,ifname=ta0", "-device", "e1000,netdev=a"]`:
    /// `-netdev`, `-device`, `-nic`, `-net`, `-object` and `-machine`, each
    /// also spelt with two dashes.
    ///
    /// Checks run in QEMU's order, so the first problem reported is the one
    /// QEMU would report:
    /// 1. the words themselves (`lookup_opt()`);
    /// 2. each option's syntax and id, all options first, in command-line
    ///    order, with the members of the options QEMU types at once: modern
    ///    (`stream`, `dgram`, JSON) netdevs and objects (`-object help`);
    /// 3. a device asking for help (`qemu_process_help_options()`);
    /// 4. the netdevs, one at a time, modern ones first, then each `-nic`,
    ///    then each `-net` (`net_init_clients()`; `-netdev help`);
    /// 5. the `-object` filters (`object_create_late()`);
    /// 6. the NICs of `-nic` and `-net nic`, as the machine is built
    ///    (`pc_nic_init()`; `model=help`);
    /// 7. each device's driver and properties, one device at a time, JSON
    ///    devices last (`qemu_create_cli_devices()`);
    /// 8. the device each `x-remote-object` serves (`remote_object_machine_done()`).
    ///
    /// Parsing runs on a thread of its own with a deep stack, so that options
    /// nested as deep as QEMU takes them parse on any caller's thread.
    ///
    /// An option asking for help stops the reading where QEMU stops it: the
    /// plan returned then holds only `help`, the warnings so far and the
    /// netdevs created so far.
    ///
    /// The NICs' PCI addresses must leave the `pc` machine's own devices
    /// their functions, unless the command line makes the machine `x-remote`.
    ///
    /// - Throws: The first problem found, located at the option that has it.
    public static func parse(_ arguments: [String]) throws(OptionError) -> NetworkPlan {
        try parse(arguments, machine: .pc)
    }

    /// `parse(_:)` for the machine whose own PCI devices the NICs must
    /// leave their functions to: QEMU's default, `pc`, or `q35`.
    public static func parse(_ arguments: [String], machine: BoardMachine) throws(OptionError) -> NetworkPlan {
        try onDeepStack { () throws(OptionError) in try parseOnThisStack(arguments, machine: machine) }
    }

    /// The plan of a command line that stopped at a help request, after
    /// creating `netdevs`, which lose their NICs.
    private static func answering(
        _ help: HelpAnswer, warnings: [String], netdevs: [Netdev] = []
    ) -> NetworkPlan {
        var netdevs = netdevs
        for index in netdevs.indices { netdevs[index].device = nil }
        return NetworkPlan(netdevs: netdevs, warnings: warnings, help: help)
    }

    private static func parseOnThisStack(
        _ arguments: [String], machine: BoardMachine
    ) throws(OptionError) -> NetworkPlan {
        let commandLine = try NetworkCommandLine(arguments)
        var declarations = OptionDeclarations()
        var clients = NetClients()
        do throws(OptionError) {
            return try read(commandLine, machine: machine, declarations: &declarations, clients: &clients)
        } catch {
            var error = error
            error.warnings = declarations.warnings + clients.warnings
            error.netdevsBefore = clients.graph.netdevs
            error.ownWarnings = clients.pendingWarnings
            throw error
        }
    }

    /// Reads the options in QEMU's order (see `parse(_:)`), into
    /// `declarations` and then `clients`, so that a caller that catches a
    /// problem knows what came before it.
    private static func read(
        _ commandLine: NetworkCommandLine, machine: BoardMachine, declarations: inout OptionDeclarations,
        clients: inout NetClients
    ) throws(OptionError) -> NetworkPlan {
        for argument in commandLine.options {
            try declarations.declare(argument)
            if let help = declarations.help { return answering(help, warnings: declarations.warnings) }
        }
        if declarations.machine == nil { clients.nics.buildMachine(machine) }

        for (argument, definition) in declarations.devices where definition.asksForHelp {
            let help = try argument.attributing { () throws(OptionDiagnostic) in
                try definition.help(location: argument.location)
            }
            return answering(help, warnings: declarations.warnings)
        }

        for (argument, definition) in declarations.modernNetdevs {
            try argument.attributing { () throws(OptionDiagnostic) in
                try clients.addNetdev(definition, location: argument.location)
            }
        }
        for (argument, opts) in declarations.netdevs {
            // net_client_init(): `-netdev help` lists the backends.
            if let type = opts.items.last(where: { $0.name == "type" })?.value, DeviceDefinition.isHelp(type) {
                return answering(
                    .netdevTypes, warnings: declarations.warnings + clients.warnings, netdevs: clients.graph.netdevs)
            }
            try argument.attributing { () throws(OptionDiagnostic) in
                try clients.addNetdev(try clients.readNetdev(opts, argument: argument), location: argument.location)
            }
        }
        for (argument, opts) in declarations.nics {
            try argument.attributing { () throws(OptionDiagnostic) in try clients.addNIC(opts, argument: argument) }
        }
        for (argument, opts) in declarations.nets {
            try argument.attributing { () throws(OptionDiagnostic) in try clients.addNet(opts, argument: argument) }
        }
        for (argument, object, isJSON) in declarations.objects {
            try argument.attributing { () throws(OptionDiagnostic) in
                try clients.addObject(object, checksID: isJSON, location: argument.location)
            }
        }
        for index in clients.onBoard.indices {
            if let model = clients.onBoard[index].model, DeviceDefinition.isHelp(model) {
                return answering(
                    .nicModels, warnings: declarations.warnings + clients.warnings, netdevs: clients.graph.netdevs)
            }
            do throws(OptionDiagnostic) {
                try clients.createOnBoardNIC(index)
            } catch {
                throw OptionError(location: clients.onBoard[index].location, diagnostic: error)
            }
        }
        for (argument, definition) in declarations.devices {
            try argument.attributing { () throws(OptionDiagnostic) in
                try clients.nics.add(definition, location: argument.location, graph: &clients.graph)
            }
        }
        let remoteDevices = try clients.resolveRemoteObjects(machine: declarations.machine)
        return NetworkPlan(
            netdevs: clients.graph.netdevs, devices: clients.nics.devices, dumps: clients.dumps,
            machine: declarations.machine, board: machine, remoteDevices: remoteDevices,
            warnings: declarations.warnings + clients.warnings,
            peerWarnings: clients.graph.hubWarnings + clients.graph.peerlessWarnings
                + clients.nics.peerlessWarnings)
    }
}
