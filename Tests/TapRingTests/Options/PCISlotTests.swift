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

    /// NICs given the same function, or a function of a slot whose
    /// function 0 is single-function: QEMU 7.2's messages, each checked
    /// against `qemu-system-x86_64` (on-board NICs are created first, JSON
    /// devices last).
    @Test(arguments: [
        (["-device", "e1000,addr=5.2,id=a", "-device", "e1000,addr=5.2,id=b"],
         "-device e1000,addr=5.2,id=b: PCI: slot 5 function 2 not available for e1000, in use by e1000,id=a"),
        (["-device", "e1000-82540em,addr=5", "-device", "e1000,addr=05.0"],
         "-device e1000,addr=05.0: PCI: slot 5 function 0 not available for e1000, in use by e1000,id=(null)"),
        (["-device", "e1000,addr=5", "-net", "nic,addr=5"],
         "-device e1000,addr=5: PCI: slot 5 function 0 not available for e1000, in use by e1000,id=(null)"),
        (["-device", #"{"driver":"e1000","addr":"6.0"}"#, "-device", "e1000,addr=6"],
         #"-device {"driver":"e1000","addr":"6.0"}: PCI: slot 6 function 0 not available for e1000, "#
            + "in use by e1000,id=(null)"),
        (["-device", "e1000,addr=3.0", "-device", "e1000,addr=3.1,multifunction=on"],
         "-device e1000,addr=3.1,multifunction=on: PCI: single function device can't be populated in function 3.1"),
        (["-device", "e1000,addr=0x1a.1", "-device", "e1000,addr=1a.0"],
         "-device e1000,addr=1a.0: PCI: 1a.0 indicates single function, but 1a.1 is already populated."),
    ])
    func nicsCannotShareAFunction(arguments: [String], message: String) {
        #expect(failure(arguments) == message)
    }

    /// The functions the machine's own devices hold, each message checked
    /// against `qemu-system-x86_64 -nodefaults` with `-machine pc` and `q35`;
    /// `-machine x-remote` builds none.
    @Test(arguments: [
        (BoardMachine.pc, "0", "PCI: slot 0 function 0 not available for e1000, in use by i440FX,id=(null)"),
        (.pc, "0.1", "PCI: single function device can't be populated in function 0.1"),
        (.pc, "1", "PCI: slot 1 function 0 not available for e1000, in use by PIIX3,id=(null)"),
        (.pc, "1.1", "PCI: slot 1 function 1 not available for e1000, in use by piix3-ide,id=(null)"),
        (.pc, "1.3", "PCI: slot 1 function 3 not available for e1000, in use by PIIX4_PM,id=(null)"),
        (.q35, "0", "PCI: slot 0 function 0 not available for e1000, in use by mch,id=(null)"),
        (.q35, "1f", "PCI: slot 31 function 0 not available for e1000, in use by ICH9-LPC,id=(null)"),
        (.q35, "1f.2", "PCI: slot 31 function 2 not available for e1000, in use by ich9-ahci,id=(null)"),
        (.q35, "1f.3", "PCI: slot 31 function 3 not available for e1000, in use by ICH9-SMB,id=(null)"),
    ] as [(BoardMachine, String, String)])
    func machineDevicesKeepTheirFunctions(machine: BoardMachine, address: String, message: String) {
        let option = "e1000,addr=\(address)"
        #expect(failure(["-device", option], machine: machine) == "-device \(option): \(message)")
        #expect(failure(["-machine", "x-remote", "-device", option], machine: machine) == nil)
    }

    /// Functions the machine leaves free: beside a multifunction device, and
    /// the other machine's.
    @Test(arguments: [(BoardMachine.pc, "1.2"), (.pc, "1f"), (.pc, "2"), (.q35, "1"), (.q35, "1f.1"), (.q35, "1.1")]
          as [(BoardMachine, String)])
    func machineLeavesTheRest(machine: BoardMachine, address: String) {
        #expect(failure(["-device", "e1000,addr=\(address)"], machine: machine) == nil)
    }

    /// A NIC without `addr=` takes function 0 of the first slot whose
    /// function 0 is free, on the machine built with `-nodefaults`.
    @Test func nicsWithoutAnAddressTakeTheFirstFreeSlot() throws {
        let plan = try NetworkPlan.parse(["-net", "nic", "-device", "e1000,addr=3", "-device", "e1000"])
        #expect(plan.pciAddresses == [PCISlot(slot: 2), PCISlot(slot: 3), PCISlot(slot: 4)])
        #expect(try NetworkPlan.parse(["-device", "e1000"], machine: .q35).pciAddresses == [PCISlot(slot: 1)])
        let remote = try NetworkPlan.parse(["-machine", "x-remote", "-device", "e1000,id=d"])
        #expect(remote.pciAddresses == [PCISlot(slot: 0)])
        #expect(failure(["-device", "e1000", "-device", "e1000,addr=2"])
            == "-device e1000,addr=2: PCI: slot 2 function 0 not available for e1000, in use by e1000,id=(null)")
        #expect(failure(["-device", "e1000,addr=2.1", "-device", "e1000"])
            == "-device e1000: PCI: 2.0 indicates single function, but 2.1 is already populated.")
        // pc: slots 2 to 31; q35: 1 to 30.
        let nics = { (count: Int) in (0..<count).flatMap { _ in ["-device", "e1000"] } }
        for machine in [BoardMachine.pc, .q35] {
            #expect(failure(nics(30), machine: machine) == nil)
            #expect(failure(nics(31), machine: machine)
                == "-device e1000: PCI: no slot/function available for e1000, all in use or reserved")
        }
    }

    @Test(arguments: [
        ["-device", "e1000,addr=3.0,multifunction=on", "-device", "e1000,addr=3.1"],
        ["-device", "e1000,addr=3.1", "-device", "e1000,addr=3.0,multifunction=on"],
        ["-device", "e1000,addr=3.0,multifunction=on", "-device", "e1000,addr=3.1,multifunction=off"],
        ["-device", "e1000", "-device", "e1000,addr=3"],
    ])
    func nicsMayShareASlot(arguments: [String]) {
        #expect(failure(arguments) == nil)
    }
}
