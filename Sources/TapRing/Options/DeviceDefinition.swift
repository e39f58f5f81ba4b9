/// A `-device` option as QEMU 7.2's `qdev_device_add()` takes it: the
/// QemuOpts turned into a dictionary (`qemu_opts_to_qdict()`), so that the
/// last of repeated keys wins, with `driver` and `bus` taken out and every
/// other key a property to set.
///
/// QEMU sets the properties in its hash table's order; they are kept here in
/// the order first typed, so the first bad one typed is the one reported.
struct DeviceDefinition: Equatable, Sendable {
    struct Property: Equatable, Sendable {
        var name: String
        var value: String
    }

    /// The device type or alias, such as `e1000`.
    var driver: String?
    /// The bus to plug the device into.
    var bus: String?
    /// Every other key with its last value; the id is not among them.
    var properties: [Property] = []

    init(_ opts: QemuOpts) {
        var order: [String] = []
        var values: [String: String] = [:]
        for item in opts.items {
            if values.updateValue(item.value, forKey: item.name) == nil { order.append(item.name) }
        }
        driver = values["driver"]
        bus = values["bus"]
        properties = order.filter { $0 != "driver" && $0 != "bus" }.map { Property(name: $0, value: values[$0] ?? "") }
    }

    /// Whether QEMU would print help and exit instead of creating anything
    /// (`qdev_device_help()`): the driver is `help` or `?`, or, with a driver
    /// given, any key is.
    var asksForHelp: Bool {
        guard let driver else { return false }
        return Self.isHelp(driver) || properties.contains { Self.isHelp($0.name) }
    }

    /// `is_help_option()`.
    private static func isHelp(_ word: String) -> Bool {
        word == "help" || word == "?"
    }
}
