/// Guest NICs created as QEMU 7.2 creates them: first the on-board NICs
/// of `-nic` and `-net nic`, when the machine is built (`pc_nic_init()`);
/// then each `-device` (`qemu_create_cli_devices()`): its driver, then its
/// properties, then its realization, which picks an automatic MAC address
/// and peers it with its netdev.
///
/// On-board NICs take their automatic addresses earlier still, when the
/// networking options are processed (`assignAddress(_:)`).
struct GuestNICs: Sendable {
    private(set) var devices: [NetworkPlan.Device] = []
    private var ids: Set<String> = []
    private var addresses = MACAddressPool()
    private var bootIndexes: Set<Int32> = []
    private var acpiIndexes: Set<UInt32> = []
    /// `ONBOARD_INDEX_MAX`: the largest index SMBIOS type 41 can carry.
    private static let largestACPIIndex: UInt32 = 16 * 1024 - 1
    private var pciFunctions = PCIFunctions(machine: nil)

    /// The address a NIC gets when it asks for `requested`, marked used
    /// (`qemu_macaddr_default_if_unset()`).
    mutating func assignAddress(_ requested: MACAddress?) -> MACAddress {
        addresses.assign(requested)
    }

    /// Creates the on-board NIC `nic` describes, peering it with its netdev
    /// in `graph` (`pci_nic_init_nofail()`, then `qdev_set_nic_properties()`).
    mutating func add(_ nic: OnBoardNIC, graph: inout NetdevGraph) throws(OptionDiagnostic) {
        let model = try nic.resolvedModel()
        let slot = try nic.pciSlot(model: model)
        var properties = E1000Properties(model: model)
        properties.mac = nic.mac
        properties.pciSlot = slot
        try properties.set("netdev", to: .text(nic.netdev), netdevs: graph, usedBootIndexes: bootIndexes)
        try realize(properties, id: nil, location: nic.location, graph: &graph)
    }

    /// Creates the device `definition` describes, peering it with the netdev
    /// its `netdev=` names in `graph`.
    mutating func add(
        _ definition: DeviceDefinition, location: String, graph: inout NetdevGraph
    ) throws(OptionDiagnostic) {
        guard let driver = definition.driver else { throw .missingParameter("driver") }
        let model: NICModel
        switch DeviceDriver(name: driver) {
        case .nic(let nic): model = nic
        case .unsupported: throw OptionDiagnostic("Device '\(driver)' is not supported by TapRing")
        case .unknown: throw OptionDiagnostic("'\(driver)' is not a valid device model name")
        }
        if definition.bus != nil {
            // TapRing models no machine, so there is no bus to name.
            throw .unsupportedParameter("bus")
        }
        // qdev_set_id(): ids of QemuOpts devices are unique already, but a
        // JSON device, created after them, may repeat one.
        if let id = definition.id, ids.contains(id), definition.isJSON {
            throw OptionDiagnostic("Duplicate device ID '\(id)'")
        }

        var properties = E1000Properties(model: model)
        for property in definition.properties {
            try properties.set(property.name, to: property.value, netdevs: graph, usedBootIndexes: bootIndexes)
        }
        try realize(properties, id: definition.id, location: location, graph: &graph)
    }

    /// Realizes a NIC as `pci_qdev_realize()` does: its ACPI index and ROM
    /// size, its PCI address, then `pci_e1000_realize()` and
    /// `qemu_new_nic()`, the failover pair, then its option ROM.
    private mutating func realize(
        _ properties: E1000Properties, id: String?, location: String, graph: inout NetdevGraph
    ) throws(OptionDiagnostic) {
        if properties.acpiIndex != 0 {
            guard properties.acpiIndex <= Self.largestACPIIndex else {
                throw OptionDiagnostic("acpi-index should be less or equal to \(Self.largestACPIIndex)")
            }
            guard !acpiIndexes.contains(properties.acpiIndex) else {
                throw OptionDiagnostic("a PCI device with acpi-index = \(properties.acpiIndex) already exist")
            }
        }
        if let romSize = properties.romSize, romSize == 0 || romSize & (romSize - 1) != 0 {
            throw OptionDiagnostic("ROM size \(romSize) is not a power of two")
        }
        _ = try pciFunctions.place(properties.pciSlot, typeName: properties.model.rawValue, id: id,
                                   multifunction: properties.multifunction)
        if properties.failoverPairID != nil {
            throw OptionDiagnostic("failover primary device must be on PCIExpress bus")
        }
        // pci_add_option_rom(), last of the realization; without a ROM BAR
        // QEMU only warns of a file it cannot open.
        if properties.romBar != 0 {
            try OptionROM.check(properties.romFile, romSize: properties.romSize)
        }
        if properties.acpiIndex != 0 { acpiIndexes.insert(properties.acpiIndex) }
        if let bootIndex = properties.bootIndex, bootIndex >= 0 { bootIndexes.insert(bootIndex) }
        if let id { ids.insert(id) }
        if let netdev = properties.netdev { graph.attach(device: devices.endIndex, toNetdev: netdev) }
        devices.append(NetworkPlan.Device(
            id: id, model: properties.model, netdev: properties.netdev, mac: addresses.assign(properties.mac),
            pciSlot: properties.pciSlot, mitigation: properties.mitigation,
            autonegotiation: properties.autonegotiation, initializesVET: properties.initializesVET,
            extraMACRegisters: properties.extraMACRegisters, location: location))
    }

    /// Builds `machine`'s own PCI devices, which come before any NIC.
    mutating func buildMachine(_ machine: BoardMachine) {
        pciFunctions = PCIFunctions(machine: machine)
    }

    /// QEMU's start-up warnings for NICs without a netdev (`net_check_clients()`),
    /// which follow those for netdevs.
    var peerlessWarnings: [String] {
        zip(devices, NetworkPlan.Device.clientNames(of: devices))
            .filter { $0.0.netdev == nil }.map { "warning: nic \($0.1) has no peer" }
    }
}
