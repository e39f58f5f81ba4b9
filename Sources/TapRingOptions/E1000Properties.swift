/// The properties of a QEMU 7.2 `e1000`, set one at a time as
/// `object_set_properties_from_qdict()` sets them, each value converted by
/// the keyval visitor or by the property's own setter, with QEMU's messages.
///
/// They are e1000's own (`e1000_properties[]`), the PCI ones every PCI
/// device has, and `bootindex`. The engine is network-only, so some are
/// checked and then have no effect:
/// - `migrate_tso_props`: a compatibility switch of the migration stream;
/// - `bootindex`: the firmware boot order (a value two NICs share is still refused);
/// - `romfile`, `rombar`: the option ROM (a file given is looked for, as
///   QEMU looks for it, by `OptionROM`);
/// - `multifunction`: a PCI header bit, which decides only whether other NICs
///   may take the slot's other functions (`PCIFunctions`);
/// - `romsize`, `acpi-index`: checked as QEMU checks them (a power of two, a
///   ROM that fits; an index no other NIC has);
/// - `x-pcie-extcap-init`, `x-pcie-lnksta-dllla`: PCI Express switches;
/// - `failover_pair_id`: refused, as QEMU refuses it on the PC's PCI bus.
///
/// `realized` is refused as not supported.
struct E1000Properties {
    let model: NICModel
    /// The index of the netdev `netdev=` names; it was free when named.
    var netdev: Int?
    /// `mac=`; nil leaves the choice to `MACAddressPool`.
    var mac: MACAddress?
    var pciSlot: PCISlot?
    var multifunction = false
    var mitigation = true
    var autonegotiation = true
    /// `init-vet=`: VET holds 0x8100 after reset, or else 0 (`E1000_FLAG_VET`).
    var initializesVET = true
    /// `extra_mac_registers=`: the registers of `E1000_FLAG_MAC` answer.
    var extraMACRegisters = true
    /// `bootindex=`, when given.
    var bootIndex: Int32?
    /// `romfile=`, when given.
    var romFile: String?
    /// `rombar=`: 0 loads the ROM through fw_cfg instead of a BAR.
    var romBar: UInt32 = 1
    /// `romsize=`, when given: the ROM BAR's size, a power of two.
    var romSize: UInt32?
    /// `acpi-index=`: the index firmware names the NIC by; 0 for none.
    var acpiIndex: UInt32 = 0
    /// `failover_pair_id=`, which only a PCI Express NIC may take.
    var failoverPairID: String?

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
        _ name: String, to value: PropertyValue, netdevs: NetdevGraph, usedBootIndexes: Set<Int32>
    ) throws(OptionDiagnostic) {
        switch name {
        case "netdev":
            let id = try value.string(name)
            switch netdevs.lookUpForNIC(id) {
            case .free(let index): netdev = index
            case .notFound: throw .propertyValueNotFound(id, for: name, of: typeName)
            case .inUse: throw .propertyValueInUse(id, for: name, of: typeName)
            }
        case "mac":
            let text = try value.string(name)
            guard let address = MACAddress(text) else { throw .propertyValueBad(text, for: name, of: typeName) }
            mac = address
        case "addr":
            pciSlot = try pciAddress(value)
        case "mitigation":
            mitigation = try value.bool(name)
        case "autonegotiation":
            autonegotiation = try value.bool(name)
        case "multifunction":
            multifunction = try value.bool(name)
        case "init-vet":
            initializesVET = try value.bool(name)
        case "extra_mac_registers":
            extraMACRegisters = try value.bool(name)
        case "migrate_tso_props":
            _ = try value.bool(name)
        case "bootindex":
            bootIndex = try Self.bootIndex(value, used: usedBootIndexes)
        case "romfile":
            romFile = try value.string(name)
        case "rombar":
            romBar = try value.uint32(name)
        case "romsize":
            romSize = try value.uint32(name)
        case "acpi-index":
            acpiIndex = try value.uint32(name)
        case "failover_pair_id":
            failoverPairID = try value.string(name)
        case "x-pcie-extcap-init", "x-pcie-lnksta-dllla":
            _ = try value.bool(name)
        case "type", "hotpluggable", "hotplugged", "parent_bus":
            throw .propertyNotWritable(name, of: typeName)
        case "realized":
            throw .unsupportedParameter(name)
        default:
            throw .propertyNotFound(name, of: typeName)
        }
    }

    /// `set_pci_devfn()`: a `slot[.function]` string, or in JSON a `devfn`
    /// number, -1 leaving the choice to the bus.
    private func pciAddress(_ value: PropertyValue) throws(OptionDiagnostic) -> PCISlot? {
        switch value {
        case .text(let text), .json(.string(let text)):
            guard let slot = PCISlot(qemuAddress: text) else {
                throw .propertyValueBad(text, for: "addr", of: typeName)
            }
            return slot
        case .json(.number):
            guard let devfn = Int32(exactly: try value.int64("addr")) else {
                throw .invalidParameterValue("addr", expected: "int32_t")
            }
            guard (-1...255).contains(devfn) else {
                throw .invalidParameterValue("addr", expected: "a value between -1 and 255")
            }
            return devfn < 0 ? nil : PCISlot(slot: UInt8(devfn >> 3), function: UInt8(devfn & 7))
        case .json:
            throw OptionDiagnostic("Invalid parameter type for 'addr', expected int or str")
        }
    }

    /// `device_set_bootindex()`: an int32, and a non-negative one only once.
    private static func bootIndex(_ value: PropertyValue, used: Set<Int32>) throws(OptionDiagnostic) -> Int32 {
        guard let index = Int32(exactly: try value.int64("bootindex")) else {
            throw .invalidParameterValue("bootindex", expected: "int32_t")
        }
        if index >= 0, used.contains(index) {
            throw OptionDiagnostic("The bootindex \(index) has already been used")
        }
        return index
    }
}
