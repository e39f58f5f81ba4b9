/// The PCI functions the machine's own devices and the NICs with an
/// `addr=` took, and QEMU 7.2's refusals of a NIC that cannot have its
/// address (`do_pci_register_device()`, then `pci_init_multifunction()`).
///
/// Where QEMU places a NIC without an address depends on the machine's
/// defaults (a PC's VGA at slot 2 unless `-nodefaults`), which a networking
/// command line does not say, so those NICs hold no function here.
struct PCIFunctions: Sendable {
    private struct Occupant: Sendable {
        var typeName: String
        var id: String?
        var multifunction: Bool
    }

    private var occupants: [PCISlot: Occupant] = [:]

    /// Only `machine`'s own devices, when there is a machine to build.
    init(machine: BoardMachine?) {
        for device in machine?.pciDevices ?? [] {
            occupants[device.address] = Occupant(typeName: device.typeName, multifunction: device.multifunction)
        }
    }

    /// Takes `address` for a NIC of `typeName`, or says why QEMU refuses it.
    mutating func take(
        _ address: PCISlot, typeName: String, id: String?, multifunction: Bool
    ) throws(OptionDiagnostic) {
        if let occupant = occupants[address] {
            throw OptionDiagnostic(
                "PCI: slot \(address.slot) function \(address.function) not available for \(typeName), "
                    + "in use by \(occupant.typeName),id=\(occupant.id ?? "(null)")")
        }
        let slot = String(address.slot, radix: 16)
        if address.function != 0 {
            // Only function 0's multifunction bit counts; the others may leave it clear.
            if let first = occupants[PCISlot(slot: address.slot)], !first.multifunction {
                throw OptionDiagnostic(
                    "PCI: single function device can't be populated in function \(slot).\(address.function)")
            }
        } else if !multifunction,
            let taken = (1...7).first(where: { occupants[PCISlot(slot: address.slot, function: $0)] != nil }) {
            throw OptionDiagnostic(
                "PCI: \(slot).0 indicates single function, but \(slot).\(taken) is already populated.")
        }
        occupants[address] = Occupant(typeName: typeName, id: id, multifunction: multifunction)
    }
}
