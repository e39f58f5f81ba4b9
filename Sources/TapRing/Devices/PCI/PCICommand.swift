/// Bits of the PCI command register (PCI Local Bus 3.0, 6.2.2).
enum PCICommand {
    static let ioSpace: UInt16 = 0x1
    static let memorySpace: UInt16 = 0x2
    static let busMaster: UInt16 = 0x4
    static let interruptDisable: UInt16 = 0x400
}
