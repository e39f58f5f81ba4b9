import Foundation
import Testing
@testable import TapRing
@testable import TapRingOptions

/// `-device`: drivers, e1000 properties and their messages, each checked
/// against qemu-system-x86_64 7.2 (`-M pc`) unless said otherwise.
@Suite struct DeviceOptionTests {
    @Test func bareE1000TakesQEMUsDefaults() throws {
        #expect(try device("e1000") == NetworkPlan.Device(
            id: nil, model: .e1000, netdev: nil, mac: qemuMAC(0x56), pciSlot: nil, mitigation: true,
            autonegotiation: true, location: "-device e1000"))
    }

    @Test func everyModelledProperty() throws {
        let value = "e1000,id=nic0,mac=02:00:00:aa:bb:cc,addr=1f.7,mitigation=off,autonegotiation=no"
        #expect(try device(value) == NetworkPlan.Device(
            id: "nic0", model: .e1000, mac: MACAddress(0x02, 0, 0, 0xaa, 0xbb, 0xcc),
            pciSlot: PCISlot(slot: 31, function: 7), mitigation: false, autonegotiation: false,
            location: "-device \(value)"))
    }

    @Test func propertiesWithoutEffectAreAccepted() throws {
        let value = "e1000,migrate_tso_props=off,bootindex=-1,romfile=,"
            + "rombar=0,multifunction=on"
        #expect(try device(value) == NetworkPlan.Device(mac: qemuMAC(0x56), location: "-device \(value)"))
    }

    /// `init-vet=off` leaves VET 0 after a reset, `extra_mac_registers=off`
    /// hides registers (fixtures `model_82544gc`, `old_mac_registers`).
    @Test func compatibilitySwitchesReachTheNIC() throws {
        #expect(try device("e1000,init-vet=off")?.initializesVET == false)
        #expect(try device("e1000,init-vet=on")?.initializesVET == true)
        #expect(try device("e1000")?.initializesVET == true)
        #expect(try device("e1000,extra_mac_registers=off")?.extraMACRegisters == false)
        #expect(try device("e1000")?.extraMACRegisters == true)
    }

    /// QEMU's three e1000s, by type; `-nic` and `-net nic` name them too.
    @Test func everyE1000Model() throws {
        #expect(try device("e1000-82544gc")?.model == .e1000_82544gc)
        #expect(try device("e1000-82545em,mac=52:54:00:00:00:01")?.model == .e1000_82545em)
        for model in NICModel.allCases {
            let nic = try NetworkPlan.parse(["-nic", "socket,listen=127.0.0.1:5000,model=\(model.rawValue)"])
            #expect(nic.devices.map(\.model) == [model])
            let net = try NetworkPlan.parse(["-net", "nic,model=\(model.rawValue)"])
            #expect(net.devices.map(\.model) == [model])
        }
        // Clients are counted per model, as QEMU 7.2 names them in its warnings.
        let plan = try NetworkPlan.parse(["-device", "e1000", "-device", "e1000-82545em",
                                          "-device", "e1000-82540em", "-device", "e1000-82544gc,id=x"])
        #expect(NetworkPlan.Device.clientNames(of: plan.devices) == ["e1000.0", "e1000-82545em.0", "e1000.1", "x"])
        // The alias is a -device spelling only: QEMU's NIC model list lacks it.
        #expect(failure(["-nic", "socket,listen=127.0.0.1:5000,model=e1000-82540em"])
            == "-nic socket,listen=127.0.0.1:5000,model=e1000-82540em: Unsupported NIC model: e1000-82540em")
    }

    /// QEMU 7.2 looks for a ROM file given with the ROM BAR on (as a path,
    /// then among its firmware), and refuses one it cannot find or size.
    @Test func aROMFileGivenMustBeThere() throws {
        #expect(failure(device: "e1000,romfile=no-such.rom") == #"-device e1000,romfile=no-such.rom: "#
            + #"failed to find romfile "no-such.rom""#)
        #expect(failure(device: "e1000,romfile=/dev/null")
            == #"-device e1000,romfile=/dev/null: romfile "/dev/null" is empty"#)
        #expect(try device("e1000,romfile=/etc/passwd") != nil)
        // Without the ROM BAR the ROM goes through fw_cfg, and QEMU only warns.
        #expect(try device("e1000,romfile=no-such.rom,rombar=0") != nil)
    }

    @Test(arguments: ["driver=e1000", "e1000-82540em", "bogus,driver=e1000"])
    func driverSpellings(value: String) throws {
        // `driver` is the implied key, repeated keys are last-wins, and
        // `e1000-82540em` is QEMU's alias for `e1000`.
        #expect(try device(value)?.model == .e1000)
    }

    @Test func driverMayComeLast() {
        #expect(failure(device: "netdev=,driver=e1000")
            == "-device netdev=,driver=e1000: Property 'e1000.netdev' can't find value ''")
    }

    @Test func bothSpellingsOfTheOption() throws {
        let plan = try NetworkPlan.parse(["--device", "e1000", "-device", "e1000"])
        #expect(plan.devices.map(\.location) == ["--device e1000", "-device e1000"])
    }

    @Test(arguments: [
        ("id=x", "Parameter 'driver' is missing"),
        ("", "Parameter 'driver' is missing"),
        (",", "'' is not a valid device model name"),
        ("bogus", "'bogus' is not a valid device model name"),
        ("E1000", "'E1000' is not a valid device model name"),
        ("bogus,bus=zz", "'bogus' is not a valid device model name"),
    ])
    func drivers(value: String, message: String) {
        #expect(failure(device: value) == "-device \(value): \(message)")
    }

    @Test(arguments: ["virtio-net-pci", "virtio-net", "rtl8139", "e1000e", "vmxnet3", "usb-tablet", "virtio-blk-pci"])
    func realDevicesTapRingDoesNotModel(driver: String) {
        let value = "\(driver),netdev=x,foo=1"
        #expect(failure(device: value) == "-device \(value): Device '\(driver)' is not supported by TapRing")
    }

    @Test(arguments: [
        ("e1000,foo=1", "Property 'e1000.foo' not found"),
        ("e1000,=5", "Property 'e1000.' not found"),
        ("e1000-82540em,foo=1", "Property 'e1000.foo' not found"),
        ("e1000,mac=zz", "Property 'e1000.mac' doesn't take value 'zz'"),
        ("e1000,addr=32", "Property 'e1000.addr' doesn't take value '32'"),
        ("e1000,addr=3.8", "Property 'e1000.addr' doesn't take value '3.8'"),
        ("e1000,addr=", "Property 'e1000.addr' doesn't take value ''"),
        ("e1000,netdev=x", "Property 'e1000.netdev' can't find value 'x'"),
        ("e1000,netdev=", "Property 'e1000.netdev' can't find value ''"),
        ("e1000,mitigation=1", "Parameter 'mitigation' expects 'on' or 'off'"),
        ("e1000,autonegotiation=ON", "Parameter 'autonegotiation' expects 'on' or 'off'"),
        ("e1000,init-vet=maybe", "Parameter 'init-vet' expects 'on' or 'off'"),
        ("e1000,multifunction=", "Parameter 'multifunction' expects 'on' or 'off'"),
        ("e1000,bootindex=x", "Parameter 'bootindex' expects integer"),
        ("e1000,bootindex=4294967296", "Parameter 'bootindex' expects int32_t"),
        ("e1000,rombar=x", "Parameter 'rombar' expects integer"),
        ("e1000,rombar=-1", "Parameter 'rombar' expects uint32_t"),
        ("e1000,type=x", "Property 'e1000.type' is not writable"),
        ("e1000,hotpluggable=on", "Property 'e1000.hotpluggable' is not writable"),
        ("e1000,hotplugged=on", "Property 'e1000.hotplugged' is not writable"),
        ("e1000,parent_bus=x", "Property 'e1000.parent_bus' is not writable"),
        // Repeated keys: the last value is the one set.
        ("e1000,mac=52:54:00:12:34:56,mac=zz", "Property 'e1000.mac' doesn't take value 'zz'"),
        // QEMU sets properties in its dictionary's order: `mac` before `foo`.
        ("e1000,foo=1,mac=52:54:00:12:34:5", "Property 'e1000.mac' doesn't take value '52:54:00:12:34:5'"),
    ])
    func properties(value: String, message: String) {
        #expect(failure(device: value) == "-device \(value): \(message)")
    }

    /// The PCI properties QEMU checks when it realizes the NIC, with its
    /// checks and messages; checked against qemu-system-x86_64 7.2.
    @Test(arguments: [
        (["e1000,romsize=1048576", "e1000,acpi-index=16383,x-pcie-extcap-init=on,x-pcie-lnksta-dllla=off"], nil),
        (["e1000,romsize=3000"], "-device e1000,romsize=3000: ROM size 3000 is not a power of two"),
        (["e1000,romsize=0,romfile="], "-device e1000,romsize=0,romfile=: ROM size 0 is not a power of two"),
        (["e1000,acpi-index=16384"], "-device e1000,acpi-index=16384: acpi-index should be less or equal to 16383"),
        (["e1000,acpi-index=1", "e1000,acpi-index=1,failover_pair_id=x"],
         "-device e1000,acpi-index=1,failover_pair_id=x: a PCI device with acpi-index = 1 already exist"),
        (["e1000,addr=3", "e1000,addr=3,romsize=3000"],
         "-device e1000,addr=3,romsize=3000: ROM size 3000 is not a power of two"),
        (["e1000,romsize=65536,failover_pair_id=x"],
         "-device e1000,romsize=65536,failover_pair_id=x: failover primary device must be on PCIExpress bus"),
    ] as [([String], String?)])
    func pciPropertiesAreCheckedAsQEMURealizesTheNIC(values: [String], report: String?) {
        #expect(failure(values.flatMap { ["-device", $0] }) == report)
    }

    @Test func aROMLargerThanItsSizeIsRefused() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tapring-\(UUID()).rom")
        try Data(count: 3000).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let value = "e1000,romfile=\(file.path),romsize=2048"
        #expect(failure(devices(value))
            == "-device \(value): romfile \"\(file.path)\" (3000 bytes) is too large for ROM size 2048")
        #expect(failure(devices("e1000,romfile=\(file.path),romsize=4096")) == nil)
    }

    @Test(arguments: ["realized=on", "bus=pci.0"])
    func realPropertiesTapRingDoesNotModel(property: String) {
        let name = property.prefix { $0 != "=" }
        #expect(failure(device: "e1000,\(property)")
            == "-device e1000,\(property): Parameter '\(name)' is not supported by TapRing")
    }

    @Test(arguments: ["0", "0x7fffffff", "-5", " 3", "-2147483648"])
    func bootIndexes(text: String) {
        #expect(failure(device: "e1000,bootindex=\(text)") == nil)
    }

    @Test func bootIndexIsTakenOnce() throws {
        #expect(failure(devices("e1000,bootindex=1", "e1000,bootindex=1"))
            == "-device e1000,bootindex=1: The bootindex 1 has already been used")
        // Negative indexes mean "not bootable" and may repeat.
        #expect(try NetworkPlan.parse(devices("e1000,bootindex=-5", "e1000,bootindex=-5")).devices.count == 2)
        #expect(try NetworkPlan.parse(devices("e1000,bootindex=1", "e1000,bootindex=2")).devices.count == 2)
    }

    @Test func shortFormBooleansWarn() throws {
        let plan = try NetworkPlan.parse(devices("e1000,nomitigation"))
        #expect(plan.devices.first?.mitigation == false)
        #expect(plan.warnings == [
            "-device e1000,nomitigation: warning: short-form boolean option 'nomitigation' deprecated\n"
                + "Please use mitigation=off instead",
        ])
        #expect(plan.peerWarnings == ["warning: nic e1000.0 has no peer"])
    }

    @Test func idsAreCheckedWithEveryOtherOptionsSyntax() {
        #expect(failure(devices("e1000,id=1a")) == """
            -device e1000,id=1a: Parameter 'id' expects an identifier
            Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.
            """)
        #expect(failure(devices("e1000,id=a,netdev=x", "e1000,id=a"))
            == "-device e1000,id=a: Duplicate ID 'a' for device")
        // In command-line order, before any netdev is typed.
        #expect(failure(devices("e1000,id=1a") + netdevs("hubport,id=2b,hubid=0")) == """
            -device e1000,id=1a: Parameter 'id' expects an identifier
            Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.
            """)
        #expect(failure(netdevs("hubport,id=2b,hubid=0") + devices("e1000,id=1a")) == """
            -netdev hubport,id=2b,hubid=0: Parameter 'id' expects an identifier
            Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.
            """)
    }

    @Test func netdevsAndDevicesHaveSeparateIDs() throws {
        let plan = try NetworkPlan.parse(netdevs("hubport,id=a,hubid=0") + devices("e1000,id=a,netdev=a"))
        #expect(plan.devices.first?.id == "a")
        #expect(plan.netdevs.first?.device == 0)
    }

    @Test func firstIDWins() throws {
        let plan = try NetworkPlan.parse(devices("e1000,id=a,id=b", "e1000,id=b"))
        #expect(plan.devices.map(\.id) == ["a", "b"])
    }

    @Test func everyNetdevIsCreatedBeforeAnyDevice() {
        #expect(failure(devices("e1000,foo=1") + netdevs("hubport,id=h,hubid=x"))
            == "-netdev hubport,id=h,hubid=x: Parameter 'hubid' expects an int64 value")
    }

    /// Properties are set in the order QEMU 7.2 walks its dictionary, not
    /// as typed: the first bad one in that order is reported.
    @Test(arguments: [
        ("e1000,mitigation=x,bootindex=x", "Parameter 'bootindex' expects integer"),
        ("e1000,foo=1,bar=2", "Property 'e1000.bar' not found"),
        ("e1000,mac=zz,romsize=1,addr=zz", "Property 'e1000.addr' doesn't take value 'zz'"),
        ("e1000,realized=x,multifunction=x", "Parameter 'multifunction' expects 'on' or 'off'"),
        ("e1000,addr=zz,netdev=n0", "Property 'e1000.netdev' can't find value 'n0'"),
        (#"{"driver":"e1000","foo":1,"bar":2}"#, "Property 'e1000.bar' not found"),
    ])
    func propertiesAreSetInQEMUsOrder(value: String, message: String) {
        #expect(failure(["-device", value]) == "-device \(value): \(message)")
    }

    @Test func qdictBucketsAreQEMUs() {
        // tdb_hash() % 512 of QEMU's qobject/qdict.c.
        #expect(["bogus", "netdev", "mac", "mitigation"].map(QDictOrder.bucket) == [136, 149, 407, 432])
    }

    @Test func devicesAreCreatedInOrder() {
        #expect(failure(devices("e1000,foo=1", "e1000,bar=1")) == "-device e1000,foo=1: Property 'e1000.foo' not found")
        // QEMU creates the virtio NIC and reports `bar`; TapRing stops at the device it does not model.
        #expect(failure(devices("virtio-net-pci", "e1000,bar=1"))
            == "-device virtio-net-pci: Device 'virtio-net-pci' is not supported by TapRing")
    }

    @Test func jsonTakesTypedValues() throws {
        // from_json: each property must have its JSON type; `addr` is a string or a devfn number.
        let value = #"{"driver":"e1000","id":"j","mac":"02:00:00:aa:bb:cc","addr":31,"mitigation":false,"#
            + #""autonegotiation":true,"bootindex":-1,"rombar":0,"romfile":""}"#
        #expect(try device(value) == NetworkPlan.Device(
            id: "j", mac: MACAddress(0x02, 0, 0, 0xaa, 0xbb, 0xcc), pciSlot: PCISlot(slot: 3, function: 7),
            mitigation: false, location: "-device \(value)"))
        #expect(try device(#"{"driver":"e1000","addr":"1f.7"}"#)?.pciSlot == PCISlot(slot: 31, function: 7))
        #expect(try device(#"{"driver":"e1000","addr":-1}"#)?.pciSlot == nil)
        // A driver, bus or id that is no string counts as absent, and JSON devices never ask for help.
        #expect(try device(#"{"driver":"e1000","id":5,"bus":5}"#)?.id == nil)
        #expect(failure(device: #"{"driver":"help"}"#)
            == #"-device {"driver":"help"}: 'help' is not a valid device model name"#)
    }

    @Test func jsonDevicesAreCreatedAfterTheOthers() throws {
        let plan = try NetworkPlan.parse(devices(#"{"driver":"e1000","id":"j"}"#, "e1000,id=o"))
        #expect(plan.devices.map(\.id) == ["o", "j"])
        #expect(plan.devices.map(\.mac) == [qemuMAC(0x56), qemuMAC(0x57)])
    }
}
