/// The PCI functions on bus 0 that the machine's own devices and the NICs
/// took, and QEMU 7.2's refusals of a NIC that cannot have its address
/// (`do_pci_register_device()`, then `pci_init_multifunction()`).
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

    /// Takes `requested` for a NIC, or where QEMU puts a NIC without an
    /// address: function 0 of the first slot whose function 0 is free.
    mutating func place(
        _ requested: PCISlot?, typeName: String, id: String?, multifunction: Bool
    ) throws(OptionDiagnostic) -> PCISlot {
        let address: PCISlot
        if let requested {
            address = requested
        } else if let free = (0...31).first(where: { occupants[PCISlot(slot: UInt8($0))] == nil }) {
            address = PCISlot(slot: UInt8(free))
        } else {
            throw OptionDiagnostic("PCI: no slot/function available for \(typeName), all in use or reserved")
        }
        try take(address, typeName: typeName, id: id, multifunction: multifunction)
        return address
    }

    /// Takes `address` for a NIC of `typeName`, or says why QEMU refuses it.
    private mutating func take(
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

extension NetworkPlan {
    /// Where each of `devices` sits on PCI bus 0: its `addr=`, or function 0
    /// of the first slot whose function 0 is free, as QEMU places a NIC on
    /// `board` built with `-nodefaults` (with `-machine x-remote`, on a bus
    /// of NICs only).
    public var pciAddresses: [PCISlot] {
        var functions = PCIFunctions(machine: machine == nil ? board : nil)
        // A parsed plan's NICs all found a place (a hand-built plan's NIC that
        // finds none is put at slot 31); multifunction only decides whether
        // they could share a slot, which they did.
        return devices.map { device in
            (try? functions.place(device.pciSlot, typeName: device.model.rawValue, id: device.id, multifunction: true))
                ?? PCISlot(slot: 31)
        }
    }
}
