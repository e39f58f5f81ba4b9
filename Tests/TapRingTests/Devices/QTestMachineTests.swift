import Testing

@testable import TapRing
import TapRingHarness
@testable import TapRingQTest

/// `tapring qtest`'s machine has q35's memory map, as QEMU 7.2 shows it to a
/// qtest client before any firmware runs (checked against QEMU with these
/// requests; the e1000's DMA through it is `hostile_dma_firmware_and_holes`).
struct QTestMachineTests {
    /// A 128 KiB firmware whose every byte tells where in it it is.
    private let firmware = (0..<(128 << 10)).map { UInt8(truncatingIfNeeded: $0 >> 8 ^ $0) }

    private func answers(megabytes: Int, _ requests: [String]) throws -> [String] {
        let answers = QTestAnswers()
        let machine = try QTestMachine(megabytes: megabytes, firmware: firmware) { answers.lines.append($0) }
        requests.forEach { machine.handle($0[...]) }
        return answers.lines
    }

    private func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func romBelow1MiBAndTheFirmwareBelow4GiB() throws {
        let lines = try answers(megabytes: 64, [
            "read 0xdfff8 0x10",
            "write 0xbfffc 0x8 0x0102030405060708", "read 0xbfff8 0x10",
            "write 0xe0000 0x4 0x11223344", "read 0xe0000 0x4",
            "read 0xfffdfff8 0x10", "read 0xfffffff8 0x10",
        ])
        #expect(lines == [
            "OK 0x0000000000000000" + hex(firmware[0..<8]) + "\n",
            "OK\n", "OK 0x00000000010203040000000000000000\n",
            "OK\n", "OK 0x" + hex(firmware[0..<4]) + "\n",
            "OK 0x0000000000000000" + hex(firmware[0..<8]) + "\n",
            "OK 0x" + hex(firmware.suffix(8)) + "0000000000000000\n",
        ])
    }

    @Test func ramPast2Point75GiBStartsAgainAt4GiB() throws {
        let lines = try answers(megabytes: 3072, [
            "write 0x7ffffffc 0x8 0x0102030405060708", "read 0x7ffffff8 0x10",
            "writel 0x100000000 0x0d0c0b0a", "read 0xfffffffc 0x8",
            "writel 0x13ffffffc 0x55667788", "readl 0x13ffffffc", "read 0x13ffffffe 0x4",
        ])
        #expect(lines == [
            "OK\n", "OK 0x00000000010203040000000000000000\n",
            "OK\n", "OK 0x" + hex(firmware.suffix(4)) + "0a0b0c0d\n",
            "OK\n", "OK 0x0000000055667788\n", "OK 0x66550000\n",
        ])
    }

    /// A client's `read` and `write` reach an e1000's registers through its
    /// BAR, in QEMU's accesses (a byte or a half-word written is the whole
    /// register's value), except where RAM hides the BAR (q35 maps the PCI
    /// address space below system memory); a BAR that would end on the last
    /// byte below 4 GiB is not mapped (`pci_bar_address()`). The answers are
    /// QEMU 7.2's to the same requests.
    @Test(arguments: [
        (0xFEBC_0000, ["OK 0x83070880", "OK", "OK 0xbbcc000034560080", "OK", "OK 0x000000000000009f"]),
        (0x0010_0000, ["OK 0x00000000", "OK", "OK 0x00aabbcc00000000", "OK", "OK 0x000000000000009f"]),
        (0xFFFE_0000, ["OK 0x00000000", "OK", "OK 0x0000000000000000", "OK", "OK 0x0000000000000000"]),
    ])
    func bulkAccessesReachTheRegisters(base: Int, expected: [String]) throws {
        let answers = QTestAnswers()
        let machine = try QTestMachine(megabytes: 64) { answers.lines.append($0) }
        let attachment = machine.attachment(slot: 3)
        let harness = try InMemoryNIC(memory: attachment.memory, interruptLine: attachment.interruptLine,
                                      slotSize: FrameArena.largeSlotSize, slotCount: 8, queueCapacity: 8)
        machine.plug(harness.nic, slot: 3)
        let hex = { (value: Int) in "0x" + String(value, radix: 16) }
        for line in ["outl 0xcf8 0x80001810", "outl 0xcfc \(hex(base))", "outl 0xcf8 0x80001804", "outl 0xcfc 0x6",
                     "read \(hex(base + 8)) 0x4", "write \(hex(base + 0x5401)) 0x3 0xaabbcc",
                     "read \(hex(base + 0x5400)) 0x8", "write \(hex(base + 0xD0)) 0x4 0x9f000000",
                     "readl \(hex(base + 0xD0))"] {
            machine.handle(line[...])
        }
        #expect(answers.lines.dropFirst(4) == expected.map { $0 + "\n" }[...])
    }

    @Test(arguments: [0, 1000, 64 << 10 | 1, 17 << 20])
    func aFirmwareIsWhole64KiBBlocks(size: Int) throws {
        #expect(throws: DeviceError.self) {
            try QTestMachine(megabytes: 1, firmware: [UInt8](repeating: 0, count: size)) { _ in }
        }
    }
}

/// The lines a `QTestMachine` answered, in order; only the test's thread writes them.
final class QTestAnswers: @unchecked Sendable {
    var lines: [String] = []
}
