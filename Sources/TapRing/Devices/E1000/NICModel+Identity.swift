/// How QEMU 7.2's e1000 models tell themselves apart (`e1000_devices[]`):
/// nothing but these two numbers; every register behaves the same.
extension NICModel {
    /// The PCI device ID, also in EEPROM words 0x0B and 0x0D
    /// (`e1000x_core_prepare_eeprom`); the vendor is Intel, 0x8086.
    var pciDeviceID: UInt16 {
        switch self {
        case .e1000: 0x100E  // E1000_DEV_ID_82540EM
        case .e1000_82544gc: 0x100C  // E1000_DEV_ID_82544GC_COPPER
        case .e1000_82545em: 0x100F  // E1000_DEV_ID_82545EM_COPPER
        }
    }

    /// The PHY's identifier register 2 (PHY register 3) after reset.
    var phyIdentifier2: UInt16 {
        switch self {
        case .e1000, .e1000_82545em: 0x0C20  // E1000_PHY_ID2_8254xx_DEFAULT
        case .e1000_82544gc: 0x0C30  // E1000_PHY_ID2_82544x
        }
    }
}
