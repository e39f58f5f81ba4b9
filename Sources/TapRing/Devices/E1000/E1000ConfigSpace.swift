/// An e1000's 256-byte PCI configuration header as QEMU 7.2 presents it
/// (`pci_e1000_realize`, `pci_init_wmask`): Intel 8086 and the model's
/// device ID (100E for the 82540EM), revision 3,
/// class 020000, subsystem 1AF4:1100, INTA, BAR0 128 KiB of memory, BAR1
/// 64 bytes of I/O, a 256 KiB expansion ROM BAR, and no capabilities.
///
/// The header lives out of line: the NIC's core stays small enough that
/// Swift does not copy it around on the per-frame path.
struct E1000ConfigSpace: ~Copyable {
    private let bytes: UnsafeMutablePointer<UInt8>
    /// Which bits of each byte a guest write may change.
    private let writable: UnsafeMutablePointer<UInt8>
    /// The command register, kept apart for the per-frame bus-master check.
    private(set) var command: UInt16 = 0

    /// Memory decoding, I/O decoding, bus mastering, SERR and INTx disable.
    static let commandMask: UInt16 = 0x0507
    static let bar0Size: UInt32 = 0x20000
    static let bar1Size: UInt32 = 0x40
    static let romSize: UInt32 = 0x40000

    init(deviceID: UInt16) {
        bytes = .allocate(capacity: 512)
        bytes.initialize(repeating: 0, count: 512)
        writable = bytes + 256
        store(UInt32(deviceID) << 16 | 0x8086, at: 0x00)
        store(0x0200_0003, at: 0x08)
        store(0x0000_0001, at: 0x14)  // BAR1 is an I/O BAR
        store(0x1100_1AF4, at: 0x2C)
        bytes[0x3D] = 1  // interrupt pin INTA
        setWritable(UInt32(Self.commandMask), at: 0x04, count: 2)
        setWritable(0xFF, at: 0x0C, count: 1)  // cache line size
        setWritable(~(Self.bar0Size - 1), at: 0x10, count: 4)
        setWritable(~(Self.bar1Size - 1) & ~0x3, at: 0x14, count: 4)
        setWritable(~(Self.romSize - 1) | 1, at: 0x30, count: 4)
        setWritable(0xFF, at: 0x3C, count: 1)  // interrupt line
        for offset in 0x40..<0x100 {
            writable[offset] = 0xFF
        }
    }

    deinit {
        bytes.deallocate()
    }

    /// `width` bytes (1, 2 or 4) at `offset`, little-endian.
    func read(at offset: Int, width: Int) -> UInt32 {
        guard offset >= 0, width > 0, offset + width <= 256 else { return 0xFFFF_FFFF }
        var value: UInt32 = 0
        for index in 0..<width {
            value |= UInt32(bytes[offset + index]) << (8 * index)
        }
        return value
    }

    /// A guest write: only writable bits change (`pci_default_write_config`).
    mutating func write(_ value: UInt32, at offset: Int, width: Int) {
        guard offset >= 0, width > 0, offset + width <= 256 else { return }
        for index in 0..<width {
            let byte = UInt8(truncatingIfNeeded: value >> (8 * index))
            let mask = writable[offset + index]
            bytes[offset + index] = bytes[offset + index] & ~mask | byte & mask
        }
        command = UInt16(bytes[0x04]) | UInt16(bytes[0x05]) << 8
    }

    /// A bus reset (`pci_do_device_reset`): the command register, cache line
    /// size, BARs, ROM BAR and interrupt line lose every bit a guest can
    /// write; the read-only type bits stay.
    mutating func resetRegisters() {
        for offset in [0x04, 0x05, 0x0C, 0x3C] + Array(0x10..<0x28) + Array(0x30..<0x34) {
            bytes[offset] &= ~writable[offset]
        }
        command = 0
    }

    /// Where BAR0's registers sit in guest-physical memory, while memory
    /// decoding is on. A 32-bit BAR that would reach the last byte below
    /// 4 GiB is left unmapped (`pci_bar_address()`).
    var registerWindow: Range<UInt64>? {
        guard command & PCICommand.memorySpace != 0 else { return nil }
        let base = UInt64(read(at: 0x10, width: 4) & ~(Self.bar0Size - 1))
        guard base + UInt64(Self.bar0Size) - 1 < 0xFFFF_FFFF else { return nil }
        return base..<base + UInt64(Self.bar0Size)
    }

    private func store(_ value: UInt32, at offset: Int) {
        for index in 0..<4 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }

    private func setWritable(_ mask: UInt32, at offset: Int, count: Int) {
        for index in 0..<count {
            writable[offset + index] = UInt8(truncatingIfNeeded: mask >> (8 * index))
        }
    }
}
