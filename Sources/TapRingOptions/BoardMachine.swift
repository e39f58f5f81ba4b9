/// The QEMU machine whose own PCI devices a plan's NICs must not displace:
/// `tapring run` stands in for QEMU's default machine, `tapring qtest` for
/// the q35 its protocol's clients expect. Under `-machine x-remote` the bus
/// holds only the NICs.
public enum BoardMachine: Sendable {
    /// `pc` (i440FX and PIIX3), `qemu-system-x86_64`'s default.
    case pc
    /// `q35` (MCH and ICH9).
    case q35

    /// The functions the machine's own devices hold on bus 0 as it is
    /// built with `-nodefaults`, before any NIC: their QEMU type names, and
    /// whether each function 0 is multifunction.
    var pciDevices: [(address: PCISlot, typeName: String, multifunction: Bool)] {
        switch self {
        case .pc:
            // i440fx_init(), piix3_create(), pci_piix3_ide_init(), piix4_pm_init().
            [(PCISlot(slot: 0), "i440FX", false), (PCISlot(slot: 1), "PIIX3", true),
             (PCISlot(slot: 1, function: 1), "piix3-ide", false), (PCISlot(slot: 1, function: 3), "PIIX4_PM", false)]
        case .q35:
            // q35_host_initfn(), pc_q35_init(): the LPC bridge, AHCI and SMBus of ICH9.
            [(PCISlot(slot: 0), "mch", false), (PCISlot(slot: 0x1F), "ICH9-LPC", true),
             (PCISlot(slot: 0x1F, function: 2), "ich9-ahci", false),
             (PCISlot(slot: 0x1F, function: 3), "ICH9-SMB", false)]
        }
    }
}
