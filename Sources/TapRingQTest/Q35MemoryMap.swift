/// Where QEMU 7.2's q35 machine puts RAM and ROM in guest-physical memory
/// (`pc_q35_init`, `pc_memory_init`, `x86_bios_rom_init`), as a qtest client
/// finds them: no firmware has run, so the PAM registers still send
/// 0xc0000-0xfffff to the PCI bus, where only ROM answers.
///
/// - RAM from 0 up to 2.75 GiB, or up to 2 GiB once there are 2.75 GiB of
///   it (MMCONFIG sits at 0xb0000000); the rest from 4 GiB.
/// - 0xc0000-0xdffff: the option-ROM area `pc.rom`, read-only zeros. The PCI
///   bus has nothing else below 1 MiB, so RAM shows through around it.
/// - The firmware image just below 4 GiB, and its last 128 KiB (all of a
///   smaller image) just below 1 MiB (`isa-bios`), both read-only.
/// - The HPET's registers at 0xfed00000 as they read after reset, read-only,
///   in accesses of 4 or 8 bytes: disabled, its counter does not run; a
///   write that would change them is dropped here, where QEMU's HPET takes it.
///
/// Everything else a device or the client reads as zeros: unassigned
/// memory, and the IOAPIC, whose registers read as zeros after reset.
struct Q35MemoryMap {
    /// A guest-physical range, and where its bytes come from.
    struct Range {
        enum Backing {
            /// RAM, at this offset in the machine's RAM.
            case ram(offset: Int)
            /// `pc.rom`.
            case optionROM
            /// The firmware image, from this offset in it.
            case firmware(offset: Int)
            /// `hpetRegisters`.
            case hpet
        }

        var guestAddress: UInt64
        var byteCount: Int
        var backing: Backing
    }

    static let optionROMAddress: UInt64 = 0xC_0000
    static let optionROMSize = 0x2_0000
    static let fourGiB: UInt64 = 1 << 32
    /// The most of the firmware `isa-bios` shows below 1 MiB.
    static let isaBIOSLimit = 128 << 10
    static let hpetAddress: UInt64 = 0xFED0_0000

    /// The HPET's 1 KiB of registers after reset (QEMU's `hw/timer/hpet.c`,
    /// three timers): capabilities (revision 1, 3 timers, 64-bit counter,
    /// legacy routing, vendor 0x8086, a 10 ns period in femtoseconds), and
    /// per timer its configuration (periodic- and 64-bit-capable, routable
    /// to IRQs 2, 8 and 16-23) and a comparator of all ones; zeros elsewhere.
    static let hpetRegisters: [UInt8] = {
        var registers = [UInt8](repeating: 0, count: 0x400)
        func store(_ value: UInt64, at offset: Int) {
            for byte in 0..<8 { registers[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
        }
        store(0x0098_9680_8086_A201, at: 0)
        for timer in 0..<3 {
            store(0x00FF_0104_0000_0030, at: 0x100 + 0x20 * timer)
            store(.max, at: 0x108 + 0x20 * timer)
        }
        return registers
    }()

    let ranges: [Range]

    init(ramSize: Int, firmwareSize: Int) {
        let lowLimit = ramSize >= 0xB000_0000 ? 0x8000_0000 : 0xB000_0000
        let below4G = min(ramSize, lowLimit)
        let isaBIOSSize = min(firmwareSize, Self.isaBIOSLimit)
        let isaBIOSAddress = (1 << 20) - UInt64(isaBIOSSize)
        let roms = [
            Range(guestAddress: Self.optionROMAddress, byteCount: Self.optionROMSize, backing: .optionROM),
            Range(guestAddress: isaBIOSAddress, byteCount: isaBIOSSize,
                  backing: .firmware(offset: firmwareSize - isaBIOSSize)),
        ]
        var ranges: [Range] = []
        var next: UInt64 = 0
        for rom in roms {
            if rom.guestAddress > next && next < UInt64(below4G) {
                let end = min(rom.guestAddress, UInt64(below4G))
                ranges.append(Range(guestAddress: next, byteCount: Int(end - next), backing: .ram(offset: Int(next))))
            }
            ranges.append(rom)
            next = rom.guestAddress + UInt64(rom.byteCount)
        }
        if next < UInt64(below4G) {
            ranges.append(Range(guestAddress: next, byteCount: below4G - Int(next), backing: .ram(offset: Int(next))))
        }
        ranges.append(Range(guestAddress: Self.hpetAddress, byteCount: Self.hpetRegisters.count, backing: .hpet))
        ranges.append(Range(guestAddress: Self.fourGiB - UInt64(firmwareSize), byteCount: firmwareSize,
                            backing: .firmware(offset: 0)))
        if ramSize > below4G {
            ranges.append(Range(guestAddress: Self.fourGiB, byteCount: ramSize - below4G,
                                backing: .ram(offset: below4G)))
        }
        self.ranges = ranges
    }
}
