/// The guest NIC models TapRing plans for, named by their QEMU type: QEMU's
/// three e1000s, one model that differs only in the identity it shows
/// (`e1000_devices[]`).
public enum NICModel: String, Equatable, Hashable, Sendable, CaseIterable {
    /// Intel 82540EM Gigabit Ethernet, QEMU's `e1000` (alias `e1000-82540em`).
    case e1000
    /// Intel 82544GC Gigabit Ethernet (copper).
    case e1000_82544gc = "e1000-82544gc"
    /// Intel 82545EM Gigabit Ethernet (copper), the NIC macOS guests expect.
    case e1000_82545em = "e1000-82545em"
}
