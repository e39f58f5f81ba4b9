/// A NIC asked for by `-nic` or `-net nic`: an entry of QEMU's `nd_table`,
/// filled when the networking options are processed and turned into a
/// device when the machine is built, before any `-device`.
struct OnBoardNIC: Equatable, Sendable {
    /// `model=`; nil for the machine's default, `e1000` on a PC.
    var model: String?
    /// The address given or assigned when the option was processed.
    var mac: MACAddress
    /// The id of the netdev or hub port the NIC is peered with.
    var netdev: String
    /// `-net nic,addr=`: the PCI slot as typed.
    var address: String?
    /// The option as typed.
    var location: String

    /// At most 8 NICs fit in `nd_table` (`MAX_NICS`).
    static let capacity = 8

    /// The NIC model `pc_nic_init()` and `pci_nic_init_nofail()` create,
    /// with their messages, and TapRing's refusal of the models it lacks.
    func resolvedModel() throws(OptionDiagnostic) -> NICModel {
        // pci_nic_init_nofail() spells the virtio NIC out before anything else.
        let name = model == "virtio" ? "virtio-net-pci" : model ?? NICModel.e1000.rawValue
        if let model = NICModel(rawValue: name) { return model }
        // pc_nic_init() plugs `ne2k_isa` into the ISA bus itself.
        guard name == "ne2k_isa" || Self.pciModels.contains(name) else {
            throw OptionDiagnostic("Unsupported NIC model: \(name)")
        }
        throw OptionDiagnostic("Device '\(name)' is not supported by TapRing")
    }

    /// The PCI slot `pci_nic_init_nofail()` plugs the NIC into, nil leaving the choice to the bus.
    func pciSlot(model: NICModel) throws(OptionDiagnostic) -> PCISlot? {
        guard let address else { return nil }
        guard let parsed = PCISlot.deviceAddress(address) else {
            throw OptionDiagnostic("Invalid PCI device address \(address) for device \(model.rawValue)")
        }
        guard parsed.domain == 0 else { throw OptionDiagnostic("No support for non-zero PCI domains") }
        // A PC has one PCI bus, bus 0, with no bridge on the command line.
        guard parsed.bus == 0 else {
            throw OptionDiagnostic("Invalid PCI device address \(address) for device \(model.rawValue)")
        }
        return parsed.slot
    }

    /// The NIC models `qemu-system-x86_64 -nic model=help` lists (Debian's
    /// QEMU 7.2 build), all PCI.
    private static let pciModels: Set<String> = [
        "e1000", "e1000-82544gc", "e1000-82545em", "e1000e", "i82550", "i82551", "i82557a", "i82557b", "i82557c",
        "i82558a", "i82558b", "i82559a", "i82559b", "i82559c", "i82559er", "i82562", "i82801", "ne2k_pci", "pcnet",
        "pvrdma", "rtl8139", "tulip", "virtio-net-pci", "virtio-net-pci-non-transitional",
        "virtio-net-pci-transitional", "vmxnet3",
    ]
}
