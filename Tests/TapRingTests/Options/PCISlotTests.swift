import Testing
@testable import TapRing
@testable import TapRingOptions

/// The `addr` property: `set_pci_devfn()`'s `sscanf()` formats, with the
/// quirks of glibc's `%x` (each case checked with glibc's `sscanf()`).
@Suite struct PCISlotTests {
    @Test(arguments: [
        ("03.0", 3, 0), ("3", 3, 0), ("1f.7", 31, 7), ("1F.7", 31, 7), ("0X3", 3, 0), ("0x1f.0x7", 31, 7),
        // Blanks before each number, a sign, zeros.
        (" 3", 3, 0), ("\t3", 3, 0), ("+3", 3, 0), ("-0", 0, 0), ("3. 1", 3, 1), ("3.+1", 3, 1), ("3.-0", 3, 0),
        ("3.\n1", 3, 1), ("00000000000000000000003.7", 3, 7),
        // `0x` with no digit after it is 0.
        ("0x", 0, 0), ("0x.1", 0, 1), ("3.0x", 3, 0),
        // Values are cut to 32 bits.
        ("100000001", 1, 0), ("-ffffffe1", 31, 0),
    ] as [(String, UInt8, UInt8)])
    func validAddresses(text: String, slot: UInt8, function: UInt8) {
        #expect(PCISlot(qemuAddress: text) == PCISlot(slot: slot, function: function))
    }

    @Test(arguments: [
        "", "32", "20", "3.8", "3.", "3 ", "3.1 ", "3 .1", "0xg", "3.0xg", "-1", "g", ".1", "3..1", "3.1.0",
        "ffffffffffffffffffffffff", "-", "+", "x3",
    ])
    func invalidAddresses(text: String) {
        #expect(PCISlot(qemuAddress: text) == nil)
        #expect(failure(device: "e1000,addr=\(text)")
            == "-device e1000,addr=\(text): Property 'e1000.addr' doesn't take value '\(text)'")
    }

    @Test func descriptionIsQEMUs() {
        #expect(PCISlot(slot: 3).description == "03.0")
        #expect(PCISlot(slot: 31, function: 7).description == "1f.7")
    }

    @Test func unsetAddressIsNil() throws {
        #expect(try device("e1000")?.pciSlot == nil)
        #expect(try device("e1000,addr=03.0")?.pciSlot == PCISlot(slot: 3, function: 0))
    }
}
