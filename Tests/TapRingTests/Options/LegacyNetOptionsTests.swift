import Testing
@testable import TapRing
@testable import TapRingOptions

/// `-nic` and `-net`: the netdevs, hub ports and on-board NICs they make,
/// the names QEMU 7.2 gives them and the order it creates them in, as
/// `info network` of qemu-system-x86_64 7.2 shows them.
@Suite struct LegacyNetOptionsTests {
    @Test func nicsComeFirstThenNetsThenDevices() throws {
        // info network: e1000.0 (…:56) on #net0; hub 0: #net1 on hub0port0, e1000.1 and e1000.2 on
        // hub0port1 and hub0port2, foo on hub0port3; e1000.3 (…:59) alone.
        let plan = try NetworkPlan.parse(
            nets("socket,listen=:1234", "nic") + nics("socket,listen=:1235") + nets("nic,model=e1000")
                + devices("e1000") + nets("socket,listen=:1236,id=foo"))
        #expect(plan.netdevs.map(\.id) == ["#net0", "hub0port0", "#net1", "hub0port1", "hub0port2", "hub0port3", "foo"])
        #expect(plan.netdevs.map(\.peer) == [nil, 2, 1, nil, nil, 6, 5])
        #expect(plan.netdevs.map(\.device) == [0, nil, nil, 1, 2, nil, nil])
        #expect(plan.devices.map(\.location)
            == ["-nic socket,listen=:1235", "-net nic", "-net nic,model=e1000", "-device e1000"])
        #expect(plan.devices.map(\.mac) == [qemuMAC(0x56), qemuMAC(0x57), qemuMAC(0x58), qemuMAC(0x59)])
        #expect(plan.peerWarnings == ["warning: nic e1000.3 has no peer"])
    }

    @Test func onBoardNICsTakeTheirAddressesBeforeDevices() throws {
        let plan = try NetworkPlan.parse(devices("e1000") + nets("nic,macaddr=52:54:00:12:34:57", "nic"))
        #expect(plan.devices.map(\.mac) == [qemuMAC(0x57), qemuMAC(0x56), qemuMAC(0x58)])
    }

    @Test func hubPortsAreNamedByTheirPlaceOnTheHub() throws {
        let plan = try NetworkPlan.parse(netdevs("hubport,id=h,hubid=0", "hubport,id=g,hubid=1") + nets("nic"))
        #expect(plan.netdevs.map(\.id) == ["h", "g", "hub0port1"])
    }

    @Test func netNICMayTakeANetdev() throws {
        let plan = try NetworkPlan.parse(netdevs("tap,id=t") + nets("nic,netdev=t,addr=0:0:1f"))
        #expect(plan.netdevs.map(\.device) == [0])
        #expect(plan.devices == [.init(netdev: 0, mac: qemuMAC(0x56), pciSlot: PCISlot(slot: 31),
                                       location: "-net nic,netdev=t,addr=0:0:1f")])
    }

    @Test func nicOptionsBeyondTheNetdevs() throws {
        // model= and mac= are the NIC's; the rest, id included, the netdev's. The last of each wins.
        let plan = try NetworkPlan.parse(
            nics("socket,id=s,connect=127.0.0.1:1,model=rtl8139,model=e1000,mac=x,mac=2:0:0:0:0:1"))
        #expect(plan.netdevs.map(\.id) == ["s"])
        #expect(plan.devices.map(\.mac) == [MACAddress(2, 0, 0, 0, 0, 1)])
    }

    @Test(arguments: [
        // net_parse_macaddr(): a number up to 0xffffff fills the last three octets.
        ("0x10", MACAddress(0, 0, 0, 0, 0, 0x10)), ("16777215", MACAddress(0, 0, 0, 0xff, 0xff, 0xff)),
        // All zeros, however written, is no address.
        ("", qemuMAC(0x56)), ("0", qemuMAC(0x56)), (":::::", qemuMAC(0x56)),
        ("52-54-00-AB-cd-0", MACAddress(0x52, 0x54, 0, 0xab, 0xcd, 0)), ("+52:54:0:12:34:0x99", qemuMAC(0x99)),
    ] as [(String, MACAddress)])
    func legacyMACSyntax(text: String, mac: MACAddress) throws {
        #expect(try NetworkPlan.parse(nics("hubport,hubid=0,mac=\(text)")).devices.first?.mac == mac)
    }

    @Test(arguments: ["zz", "52:54:00:12:34", "52:54:00:12:34:56:", " 52:54:00:12:34:56x", "-1", "0x1000000"])
    func badLegacyMACs(text: String) {
        #expect(failure(nics("hubport,hubid=0,mac=\(text)"))
            == "-nic hubport,hubid=0,mac=\(text): invalid syntax for ethernet address")
    }

    @Test func shortFormBooleansOfNicAndNetWarn() throws {
        let plan = try NetworkPlan.parse(nics("tap,vnet_hdr") + nets("tap,novnet_hdr"))
        #expect(plan.warnings == [
            "-nic tap,vnet_hdr: warning: short-form boolean option 'vnet_hdr' deprecated\n"
                + "Please use vnet_hdr=on instead",
            "-net tap,novnet_hdr: warning: short-form boolean option 'novnet_hdr' deprecated\n"
                + "Please use vnet_hdr=off instead",
        ])
    }

    @Test(arguments: ["tap,queues=1", "tap,fd=3,queues=2", "tap,fds=3:4", "tap,fd=3,vhostfds=4"])
    func tapsOfNetHaveOneQueue(options: String) {
        // net_init_tap() refuses queues on a hub before it looks at anything else.
        #expect(failure(nets(options)) == "-net \(options): Multiqueue tap cannot be used with hubs")
        // A -nic's netdev has the NIC as its peer, no hub.
        #expect(failure(nics(options))?.hasSuffix("Multiqueue tap cannot be used with hubs") != true)
    }

    /// A backend TapRing lacks is refused where QEMU would create it: after
    /// its members and its id are checked, as QEMU checks them; checked
    /// against qemu-system-x86_64 7.2.
    @Test(arguments: [
        (["-nic", "model=help,bogus=1"], "-nic model=help,bogus=1: Invalid parameter 'bogus'"),
        (["-netdev", "hubport,id=n0,hubid=0", "-nic", "user,id=n0"], "-nic user,id=n0: Duplicate ID 'n0'"),
        (["-netdev", "hubport,id=n0,hubid=0", "-nic", "model=help,id=n0"], "-nic model=help,id=n0: Duplicate ID 'n0'"),
        (["-net", "user,vlan=1"], "-net user,vlan=1: Invalid parameter 'vlan'"),
        (["-netdev", "user,id=u,restrict=x"],
         "-netdev user,id=u,restrict=x: Parameter 'restrict' expects 'on' or 'off'"),
        (["-netdev", "vde,id=v,port=x"], "-netdev vde,id=v,port=x: Parameter 'port' expects a uint64 value"),
        (["-netdev", #"{"type":"user","id":"u","hostfwd":"x"}"#],
         #"-netdev {"type":"user","id":"u","hostfwd":"x"}: Invalid parameter type for 'hostfwd', expected: array"#),
        (["-netdev", "user,id=u,hostfwd=tcp::1-:2,hostfwd=tcp::3-:4"],
         "-netdev user,id=u,hostfwd=tcp::1-:2,hostfwd=tcp::3-:4: network backend 'user' is not supported by TapRing"),
    ] as [([String], String)])
    func backendsTapRingLacksAreCheckedFirst(arguments: [String], report: String) {
        #expect(failure(arguments) == report)
    }

    @Test func dumpsMayWatchHubPortsOfNet() throws {
        let plan = try NetworkPlan.parse(nets("nic") + objects("filter-dump,id=f0,netdev=hub0port0,file=d.pcap"))
        #expect(plan.dumps == [PacketDumpOptions(id: "f0", netdev: 0, file: "d.pcap")])
    }
}
