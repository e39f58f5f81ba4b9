/// The networking half of QEMU 7.2's start-up after the command line is
/// read, in its order: the netdevs, modern then legacy, then each `-nic`,
/// then each `-net` (`net_init_clients()`); the late `-object`s
/// (`object_create_late()`); the on-board NICs of the machine
/// (`pc_nic_init()`); and the `-device`s (`qemu_create_cli_devices()`).
struct NetClients: Sendable {
    var graph = NetdevGraph()
    var nics = GuestNICs()
    /// The NICs `-nic` and `-net nic` ask for, created with the machine.
    var onBoard: [OnBoardNIC] = []
    private(set) var dumps: [PacketDumpOptions] = []
    /// The `x-remote-object`s, whose `devid=` is looked up once the devices exist.
    private(set) var remoteObjects: [(id: String, members: RemoteObjectMembers, location: String)] = []
    /// Warnings raised while the options are processed, in the order raised,
    /// but for those of a netdev's options, which the netdev carries.
    var warnings: [String] = []
    /// The warnings of the option being added, until it is: QEMU prints
    /// them before any problem it then finds with that option.
    var pendingWarnings: [String] = []
    private var generatedIDs = 0

    /// `net_client_init1()` for a `-netdev`: the type, the id, then the
    /// backend's own checks. The netdev carries the warnings pending from
    /// reading it (`readNetdev(_:argument:)`).
    mutating func addNetdev(_ definition: NetdevDefinition, location: String) throws(OptionDiagnostic) {
        try definition.checkCreatable()
        try graph.claim(definition.id)
        try graph.add(NetworkPlan.Netdev(
            id: definition.id, backend: try definition.backend(), location: location, warnings: pendingWarnings))
        pendingWarnings = []
    }

    /// `visit_type_Netdev()`: reads a netdev's options, its warnings left
    /// pending, those read before a problem too, as QEMU prints them first.
    mutating func readNetdev(_ opts: QemuOpts, argument: OptionArgument) throws(OptionDiagnostic) -> NetdevDefinition {
        var reader = OptionReader(opts)
        defer { pendingWarnings = reader.warnings.map(argument.warning) }
        return try NetdevDefinition(reading: &reader)
    }

    /// Counts the pending warnings among the command line's, once the
    /// option they belong to is added and is no netdev.
    mutating func keepPendingWarnings() {
        warnings += pendingWarnings
        pendingWarnings = []
    }

    /// Creates a filter `-object`.
    mutating func addObject(_ object: ObjectDefinition, checksID: Bool, location: String) throws(OptionDiagnostic) {
        switch object {
        case .filterDump(let id, let members):
            dumps.append(try PacketDumpOptions(id: id, members, checksID: checksID, netdevs: graph, earlier: dumps))
        case .remoteObject(let id, let members):
            guard !remoteObjects.contains(where: { $0.id == id }) else {
                throw OptionDiagnostic("attempt to add duplicate property '\(id)' to object (type 'container')")
            }
            remoteObjects.append((id, members, location))
        case .unsupported(let type, let netdev):
            if let netdev { _ = try graph.filtered(netdev) }
            throw OptionDiagnostic("object type '\(type)' is not supported by TapRing")
        case .uncompiled(let type):
            throw OptionDiagnostic("invalid object type: \(type)")
        }
    }

    /// Creates the on-board NIC at `index` of `onBoard`.
    mutating func createOnBoardNIC(_ index: Int) throws(OptionDiagnostic) {
        try nics.add(onBoard[index], graph: &graph)
    }

    /// `id_generate(ID_NET)`: the id QEMU gives a `-nic` or `-net` without one.
    ///
    /// QEMU writes `#net<n><two random digits>`; TapRing leaves the random
    /// digits out, so that a plan is the same every time. No option can name
    /// such an id, as none can start with `#`.
    mutating func generateID() -> String {
        defer { generatedIDs += 1 }
        return "#net\(generatedIDs)"
    }

    /// The address a new on-board NIC takes from `mac=` or `macaddr=`
    /// (`net_parse_macaddr()`), assigned at once.
    ///
    /// - Parameter multicastError: QEMU's refusal of a group address, which `-nic` and `-net` word apart.
    mutating func onBoardAddress(_ text: String?, multicastError: String) throws(OptionDiagnostic) -> MACAddress {
        var requested: MACAddress?
        if let text {
            guard let address = MACAddress(legacySyntax: text) else {
                throw OptionDiagnostic("invalid syntax for ethernet address")
            }
            guard !address.isMulticast else { throw OptionDiagnostic(multicastError) }
            requested = address
        }
        return nics.assignAddress(requested)
    }
}

extension NetClients {
    /// `remote_object_machine_done()`: each `x-remote-object`'s `devid=`
    /// must name a NIC, served by no other object, on an `x-remote` machine.
    func resolveRemoteObjects(machine: RemoteMachine?) throws(OptionError) -> [RemoteDevice] {
        try remoteObjects.enumerated().map { (index, object) throws(OptionError) in
            guard machine != nil else {
                throw OptionError(location: object.location, message: "x-remote-object needs -machine x-remote")
            }
            guard let device = nics.devices.firstIndex(where: { $0.id == object.members.devid }) else {
                throw OptionError(location: object.location, message: "devid=\(object.members.devid) names no NIC")
            }
            if let earlier = remoteObjects[..<index].first(where: { $0.members.devid == object.members.devid }) {
                throw OptionError(
                    location: object.location,
                    message: "NIC \(object.members.devid) is already served by x-remote-object \(earlier.id)")
            }
            if let earlier = remoteObjects[..<index].first(where: { $0.members.fd == object.members.fd }) {
                throw OptionError(
                    location: object.location,
                    message: "fd=\(object.members.fd) is already the socket of x-remote-object \(earlier.id)")
            }
            return RemoteDevice(id: object.id, device: device, socket: object.members.fd, location: object.location)
        }
    }
}
