import Testing

@testable import TapRing
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
