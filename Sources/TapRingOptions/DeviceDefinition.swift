/// A `-device` option as QEMU 7.2's `qdev_device_add_from_qdict()` takes it:
/// a dictionary, from the QemuOpts (`qemu_opts_to_qdict()`, so that the last
/// of repeated keys wins) or from JSON, with `driver`, `bus` and `id` taken
/// out and every other key a property to set.
///
/// QEMU sets the properties in its hash table's order; they are kept here in
/// the order first typed, so the first bad one typed is the one reported.
struct DeviceDefinition: Equatable, Sendable {
    struct Property: Equatable, Sendable {
        var name: String
        var value: PropertyValue
    }

    /// The device type or alias, such as `e1000`.
    var driver: String?
    /// The bus to plug the device into.
    var bus: String?
    /// The device's id, which also names its network client.
    var id: String?
    /// Every other key with its last value, in the order QEMU sets them
    /// (`QDictOrder`).
    var properties: [Property] = []
    /// Whether the device came from JSON, whose id QEMU checks only when it creates the device.
    var isJSON = false

    init(_ opts: QemuOpts) {
        var order: [String] = []
        var values: [String: String] = [:]
        for item in opts.items {
            if values.updateValue(item.value, forKey: item.name) == nil { order.append(item.name) }
        }
        driver = values["driver"]
        bus = values["bus"]
        id = opts.id
        properties = QDictOrder.walk(order.filter { $0 != "driver" && $0 != "bus" }) { $0 }
            .map { Property(name: $0, value: .text(values[$0] ?? "")) }
    }

    /// A `-device {...}`: `driver`, `bus` and `id` count only as strings
    /// (`qdict_get_try_str()`).
    init(json: QDict) {
        func string(_ key: String) -> String? {
            guard case .string(let text) = json[key] else { return nil }
            return text
        }
        (driver, bus, id, isJSON) = (string("driver"), string("bus"), string("id"), true)
        properties = QDictOrder.walk(json.entries.filter { !["driver", "bus", "id"].contains($0.key) }) { $0.key }
            .map { Property(name: $0.key, value: .json($0.value)) }
    }

    /// Whether QEMU would print help and exit instead of creating anything
    /// (`qdev_device_help()`): the driver is `help` or `?`, or, with a driver
    /// given, any key is. QEMU asks this of QemuOpts devices only.
    var asksForHelp: Bool {
        guard !isJSON, let driver else { return false }
        return Self.isHelp(driver) || properties.contains { Self.isHelp($0.name) }
    }

    /// `qdev_device_help()`, for a device that `asksForHelp`: the devices,
    /// or the properties of the driver named.
    func help(location: String) throws(OptionDiagnostic) -> HelpAnswer {
        guard let driver, !Self.isHelp(driver) else { return .devices }
        switch DeviceDriver(name: driver) {
        case .nic(let model): return .e1000Properties(of: model)
        case .unsupported: throw OptionDiagnostic("Device '\(driver)' is not supported by TapRing")
        case .unknown: return .deviceNotFound(driver, location: location)
        }
    }

    /// `is_help_option()`.
    static func isHelp(_ word: String) -> Bool {
        word == "help" || word == "?"
    }
}
