@testable import TapRing
@testable import TapRingOptions

/// `-netdev` options as argv words.
func netdevs(_ values: String...) -> [String] {
    values.flatMap { ["-netdev", $0] }
}

/// `-device` options as argv words.
func devices(_ values: String...) -> [String] {
    values.flatMap { ["-device", $0] }
}

/// `-nic` options as argv words.
func nics(_ values: String...) -> [String] {
    values.flatMap { ["-nic", $0] }
}

/// `-net` options as argv words.
func nets(_ values: String...) -> [String] {
    values.flatMap { ["-net", $0] }
}

/// `-object` options as argv words.
func objects(_ values: String...) -> [String] {
    values.flatMap { ["-object", $0] }
}

/// What `NetworkPlan.parse` reports for `arguments`, or nil when it succeeds.
func failure(_ arguments: [String], machine: BoardMachine = .pc) -> String? {
    do {
        _ = try NetworkPlan.parse(arguments, machine: machine)
        return nil
    } catch {
        return error.description
    }
}

/// What `NetworkPlan.parse` reports for one `-netdev value`.
func failure(netdev value: String) -> String? {
    failure(netdevs(value))
}

/// The backend of the only netdev `value` declares.
func backend(netdev value: String) throws -> NetdevBackend? {
    try NetworkPlan.parse(netdevs(value)).netdevs.first?.backend
}

/// What `NetworkPlan.parse` reports for one `-device value`.
func failure(device value: String) -> String? {
    failure(devices(value))
}

/// The only device `value` declares, with nothing for it to peer with.
func device(_ value: String) throws -> NetworkPlan.Device? {
    try NetworkPlan.parse(devices(value)).devices.first
}

/// The MAC address `52:54:00:12:34:<last>`, QEMU's automatic range.
func qemuMAC(_ last: UInt8) -> MACAddress {
    MACAddress(0x52, 0x54, 0x00, 0x12, 0x34, last)
}
