import Testing
@testable import TapRing
@testable import TapRingOptions

/// MAC addresses: the `mac` property's syntax (`set_mac()`) and QEMU's
/// automatic addresses (`qemu_macaddr_default_if_unset()`).
@Suite struct MACAddressTests {
    @Test(arguments: [
        ("52:54:00:12:34:56", MACAddress(0x52, 0x54, 0x00, 0x12, 0x34, 0x56)),
        ("52-54-00-12-34-56", MACAddress(0x52, 0x54, 0x00, 0x12, 0x34, 0x56)),
        ("52-54:00-12:34-56", MACAddress(0x52, 0x54, 0x00, 0x12, 0x34, 0x56)),
        ("FF:ff:Aa:0b:C0:de", MACAddress(0xff, 0xff, 0xaa, 0x0b, 0xc0, 0xde)),
        // No multicast check for -device (verified: QEMU 7.2 accepts it).
        ("01:00:5e:00:00:01", MACAddress(0x01, 0x00, 0x5e, 0x00, 0x00, 0x01)),
    ])
    func validAddresses(text: String, address: MACAddress) {
        #expect(MACAddress(text) == address)
    }

    @Test(arguments: [
        "", "zz", "52:54:00:12:34:5", "52:54:00:12:34:56x", "52:54:00:12:34:56:", "52:54:00:12:34:567",
        "5:54:00:12:34:56a", "52.54.00.12.34.56", "52:54:00:12:34 56", "+2:54:00:12:34:56", " 52:54:00:12:34:5",
        "0x:54:00:12:34:56", "52:54:00:12:34:g6", "5254:00:12:34:56:", "52:54:00:12:34:5\u{e9}",
    ])
    func invalidAddresses(text: String) {
        #expect(MACAddress(text) == nil)
        #expect(failure(device: "e1000,mac=\(text)")
            == "-device e1000,mac=\(text): Property 'e1000.mac' doesn't take value '\(text)'")
    }

    @Test func descriptionIsLowerCaseWithColons() {
        #expect(MACAddress(0x52, 0x54, 0x00, 0xAB, 0x0c, 0x5).description == "52:54:00:ab:0c:05")
        #expect(MACAddress("52-54-00-AB-0C-05")?.description == "52:54:00:ab:0c:05")
        #expect(MACAddress(0x01, 0, 0, 0, 0, 0).isMulticast)
        #expect(!qemuMAC(0x56).isMulticast)
    }

    @Test func automaticAddressesSkipThoseInUse() throws {
        // Verified with `info network` on QEMU 7.2: addresses are picked as
        // each NIC is created, so a later NIC's address does not hold back
        // an earlier one, duplicates are allowed, and all zeros means unset.
        let plan = try NetworkPlan.parse(devices(
            "e1000", "e1000,mac=52:54:00:12:34:57", "e1000", "e1000,mac=52:54:00:12:34:56", "e1000",
            "e1000,mac=00:00:00:00:00:00", "e1000,mac=52:54:00:12:34:59"
        ))
        #expect(plan.devices.map(\.mac) == [0x56, 0x57, 0x58, 0x56, 0x59, 0x5a, 0x59].map(qemuMAC))
    }

    @Test func addressesOutsideQEMUsRangeHoldNothingBack() throws {
        let plan = try NetworkPlan.parse(devices(
            "e1000,mac=52:54:00:12:35:56", "e1000,mac=02:54:00:12:34:56", "e1000,mac=52:54:00:12:34:55", "e1000"))
        #expect(plan.devices.last?.mac == qemuMAC(0x56))
    }

    @Test func poolRunsOutAtFF() {
        var pool = MACAddressPool()
        let first = (0..<169).map { _ in pool.assign(nil) }
        #expect(first.first == qemuMAC(0x56))
        #expect(first.last == qemuMAC(0xfe))
        // qemu_macaddr_get_free() returns -1, stored as 0xff and never marked used.
        #expect(pool.assign(nil) == qemuMAC(0xff))
        #expect(pool.assign(qemuMAC(0xff)) == qemuMAC(0xff))
        #expect(pool.assign(nil) == qemuMAC(0xff))
    }
}
