/// The properties of a QEMU 7.2 `e1000`, set one at a time as
/// `object_set_properties_from_qdict()` sets them, each value converted by
/// the keyval visitor or by the property's own setter, with QEMU's messages.
///
/// They are e1000's own (`e1000_properties[]`), the PCI ones every PCI
/// device has, and `bootindex`. The engine is network-only, so some are
/// checked and then have no effect:
/// - `extra_mac_registers`, `migrate_tso_props`, `init-vet`: compatibility
///   switches of the emulated chip's registers and migration stream;
/// - `bootindex`: the firmware boot order (a value two NICs share is still refused);
/// - `romfile`, `rombar`: the option ROM (the file is not looked for);
/// - `multifunction`: a PCI header bit (no PCI bus is modelled).
///
/// The remaining real properties (`acpi-index`, `failover_pair_id`, `romsize`,
/// `x-pcie-extcap-init`, `x-pcie-lnksta-dllla`, `realized`) are refused as not supported.
struct E1000Properties {
    let model: NICModel
    /// The index of the netdev `netdev=` names; it was free when named.
    var netdev: Int?
    /// `mac=`; nil leaves the choice to `MACAddressPool`.
    var mac: MACAddress?
    var pciSlot: PCISlot?
    var mitigation = true
    var autonegotiation = true
    /// `bootindex=`, when given.
    var bootIndex: Int32?

    init(model: NICModel) {
        self.model = model
    }

    private var typeName: String { model.rawValue }

    /// Sets property `name`, as `object_property_set()` does.
    ///
    /// - Parameters:
    ///   - netdevs: the netdevs `netdev=` may name.
    ///   - usedBootIndexes: the boot indexes earlier devices took.
    mutating func set(
        _ name: String, to value: String, netdevs: NetdevGraph, usedBootIndexes: Set<Int32>
    ) throws(OptionDiagnostic) {
        switch name {
        case "netdev":
            switch netdevs.lookUpForNIC(value) {
            case .free(let index): netdev = index
            case .notFound: throw .propertyValueNotFound(value, for: name, of: typeName)
            case .inUse: throw .propertyValueInUse(value, for: name, of: typeName)
            }
        case "mac":
            guard let address = MACAddress(value) else { throw .propertyValueBad(value, for: name, of: typeName) }
            mac = address
        case "addr":
            guard let slot = PCISlot(qemuAddress: value) else {
                throw .propertyValueBad(value, for: name, of: typeName)
            }
            pciSlot = slot
        case "mitigation":
            mitigation = try Self.bool(name, value)
        case "autonegotiation":
            autonegotiation = try Self.bool(name, value)
        case "extra_mac_registers", "migrate_tso_props", "init-vet", "multifunction":
            _ = try Self.bool(name, value)
        case "bootindex":
            bootIndex = try Self.bootIndex(value, used: usedBootIndexes)
        case "romfile":
            break
        case "rombar":
            guard let bar = OptionValue.wrappingUInt64(value) else {
                throw .invalidParameterValue(name, expected: "integer")
            }
            guard UInt32(exactly: bar) != nil else { throw .invalidParameterValue(name, expected: "uint32_t") }
        case "type", "hotpluggable", "hotplugged", "parent_bus":
            throw .propertyNotWritable(name, of: typeName)
        case "acpi-index", "failover_pair_id", "romsize", "x-pcie-extcap-init", "x-pcie-lnksta-dllla", "realized":
            throw .unsupportedParameter(name)
        default:
            throw .propertyNotFound(name, of: typeName)
        }
    }

    /// A `DEFINE_PROP_BIT` through the keyval visitor.
    private static func bool(_ name: String, _ value: String) throws(OptionDiagnostic) -> Bool {
        guard let flag = OptionValue.bool(value) else { throw .invalidParameterValue(name, expected: "'on' or 'off'") }
        return flag
    }

    /// `device_set_bootindex()`: an int32, and a non-negative one only once.
    private static func bootIndex(_ value: String, used: Set<Int32>) throws(OptionDiagnostic) -> Int32 {
        guard let wide = OptionValue.int64(value) else {
            throw .invalidParameterValue("bootindex", expected: "integer")
        }
        guard let index = Int32(exactly: wide) else { throw .invalidParameterValue("bootindex", expected: "int32_t") }
        if index >= 0, used.contains(index) {
            throw OptionDiagnostic("The bootindex \(index) has already been used")
        }
        return index
    }
}
