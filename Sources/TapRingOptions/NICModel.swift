/// The guest NIC models TapRing plans for, named by their QEMU type.
public enum NICModel: String, Equatable, Hashable, Sendable {
    /// Intel 82540EM Gigabit Ethernet, QEMU's `e1000` (alias `e1000-82540em`).
    case e1000
}
