/// Guest NICs created from `-device` options, in command-line order and
/// after every netdev, as QEMU 7.2's `qemu_create_cli_devices()` creates them:
/// each device's driver, then its properties, then its realization, which
/// picks an automatic MAC address and peers it with its netdev.
struct GuestNICs: Sendable {
    private(set) var devices: [NetworkPlan.Device] = []
    /// Each device's network client name: its id, or `<model>.<n>`.
    private var clientNames: [String] = []
    private var addresses = MACAddressPool()
    private var bootIndexes: Set<Int32> = []

    /// Creates the device `definition` describes, peering it with the netdev
    /// its `netdev=` names in `graph`.
    mutating func add(
        _ definition: DeviceDefinition, id: String?, location: String, graph: inout NetdevGraph
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

        var properties = E1000Properties(model: model)
        for property in definition.properties {
            try properties.set(property.name, to: property.value, netdevs: graph, usedBootIndexes: bootIndexes)
        }

        // Realize: pci_e1000_realize() and qemu_new_nic().
        if let bootIndex = properties.bootIndex, bootIndex >= 0 { bootIndexes.insert(bootIndex) }
        if let netdev = properties.netdev { graph.attach(device: devices.endIndex, toNetdev: netdev) }
        // assign_name() counts every earlier client of the model, named or not.
        let sameModel = devices.count { $0.model == model }
        clientNames.append(id ?? "\(model.rawValue).\(sameModel)")
        devices.append(NetworkPlan.Device(
            id: id, model: model, netdev: properties.netdev, mac: addresses.assign(properties.mac),
            pciSlot: properties.pciSlot, mitigation: properties.mitigation,
            autonegotiation: properties.autonegotiation, location: location))
    }

    /// QEMU's start-up warnings for NICs without a netdev (`net_check_clients()`),
    /// which follow those for netdevs.
    var peerlessWarnings: [String] {
        zip(devices, clientNames).filter { $0.0.netdev == nil }.map { "warning: nic \($0.1) has no peer" }
    }
}
