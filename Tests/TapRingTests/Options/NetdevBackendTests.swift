import Testing
@testable import TapRing
@testable import TapRingOptions

/// What accepted `-netdev tap` and `-netdev hubport` options turn into.
@Suite struct NetdevBackendTests {
    @Test func bareTapTakesQEMUsDefaults() throws {
        #expect(try backend(netdev: "tap,id=t") == .tap(TapOptions(
            ifname: "", inheritedDescriptor: nil, script: "/etc/qemu-ifup", downscript: "/etc/qemu-ifdown",
            vnetHeader: nil, sendBufferSize: nil, queues: 1
        )))
    }

    @Test func everyHonouredTapMember() throws {
        let value = "tap,id=t,ifname=tap%d,script=/bin/up,downscript=/bin/down,vnet_hdr=on,sndbuf=1M,queues=1"
        #expect(try backend(netdev: value) == .tap(TapOptions(
            ifname: "tap%d", script: "/bin/up", downscript: "/bin/down", vnetHeader: true, sendBufferSize: 1 << 20
        )))
    }

    @Test func membersAcceptedWithoutEffect() throws {
        let value = "tap,id=t,vhost=off,vhostforce=no,poll-us=50,br=br0"
        #expect(try backend(netdev: value) == .tap(TapOptions()))
    }

    /// `net_init_tap_one()`: `vhost=` decides when given; otherwise
    /// `vhostforce=on` or a `vhostfd=` turn vhost on.
    @Test(arguments: [
        ("vhost=on", .kernel), ("vhostforce=on", .kernel), ("vhost=on,vhostforce=off", .kernel),
        ("vhost=off,vhostforce=on", .off), ("vhost=off,vhostfd=5", .descriptorWithoutVhost),
        ("vhost=off", .off), ("vhostforce=off", .off),
    ] as [(String, TapOptions.VhostNet)])
    func vhostNet(members: String, request: TapOptions.VhostNet) throws {
        #expect(try backend(netdev: "tap,id=t,\(members)") == .tap(TapOptions(vhostNet: request)))
    }

    @Test(arguments: [("no", nil), ("", nil), ("/x", "/x"), ("yes", "yes")] as [(String, String?)])
    func scripts(value: String, script: String?) throws {
        #expect(try backend(netdev: "tap,id=t,script=\(value),downscript=\(value)")
            == .tap(TapOptions(script: script, downscript: script)))
    }

    @Test(arguments: [
        ("0", 0), ("1", 1), ("64k", 65536), ("1.5k", 1536), ("0x10", 16),
        ("2147483647", .max), ("2147483648", .max), ("4G", .max), ("15E", .max),
    ] as [(String, Int32)])
    func sendBufferIsClampedToIntMax(sndbuf: String, bytes: Int32) throws {
        #expect(try backend(netdev: "tap,id=t,sndbuf=\(sndbuf)") == .tap(TapOptions(sendBufferSize: bytes)))
    }

    @Test func inheritedDescriptorRunsNoScripts() throws {
        #expect(try backend(netdev: "tap,id=t,fd=3,sndbuf=0,vhost=off")
            == .tap(TapOptions(inheritedDescriptor: 3, script: nil, downscript: nil, sendBufferSize: 0)))
    }

    @Test func lastRepeatedKeyWins() throws {
        #expect(try backend(netdev: "tap,id=t,ifname=x,ifname=y,vnet_hdr=on,vnet_hdr=off")
            == .tap(TapOptions(ifname: "y", vnetHeader: false)))
        #expect(try backend(netdev: "hubport,id=h,hubid=0,hubid=7") == .hubport(HubPortOptions(hubID: 7)))
    }

    @Test func firstIDWins() throws {
        let plan = try NetworkPlan.parse(netdevs("hubport,hubid=0,id=a,id=b"))
        #expect(plan.netdevs.map(\.id) == ["a"])
    }

    @Test(arguments: [
        ("0", 0), ("0x10", 16), ("010", 8), (" 5", 5), ("-1", -1), ("+3", 3),
        ("2147483647", .max), ("-2147483648", .min),
    ] as [(String, Int32)])
    func hubIDs(text: String, hubID: Int32) throws {
        #expect(try backend(netdev: "hubport,id=h,hubid=\(text)") == .hubport(HubPortOptions(hubID: hubID)))
    }

    @Test func valuesKeepCommasAndEquals() throws {
        #expect(try backend(netdev: "tap,id=t,ifname=a=b,script=/x,,y")
            == .tap(TapOptions(ifname: "a=b", script: "/x,y")))
    }

    @Test func trailingCommaIsAccepted() throws {
        #expect(try backend(netdev: "hubport,id=h,hubid=0,") == .hubport(HubPortOptions(hubID: 0)))
    }

    @Test func shortFormBooleansWarnWithTheirLocation() throws {
        let plan = try NetworkPlan.parse(netdevs("tap,id=t,script=no,downscript=no,vnet_hdr", "tap,id=u,novnet_hdr"))
        #expect(plan.netdevs.map(\.backend) == [
            .tap(TapOptions(script: nil, downscript: nil, vnetHeader: true)),
            .tap(TapOptions(vnetHeader: false)),
        ])
        #expect(plan.warnings == [
            "-netdev tap,id=t,script=no,downscript=no,vnet_hdr: warning: "
                + "short-form boolean option 'vnet_hdr' deprecated\n"
                + "Please use vnet_hdr=on instead",
            "-netdev tap,id=u,novnet_hdr: warning: short-form boolean option 'novnet_hdr' deprecated\n"
                + "Please use vnet_hdr=off instead",
        ])
        #expect(plan.peerWarnings == ["warning: netdev t has no peer", "warning: netdev u has no peer"])
    }

    @Test func hexSizeWithSuffixWarns() throws {
        let plan = try NetworkPlan.parse(netdevs("tap,id=t,sndbuf=0x10k"))
        #expect(plan.netdevs.first?.backend == .tap(TapOptions(sendBufferSize: 16384)))
        // Printed as the netdev is created, after the command line's own warnings.
        #expect(plan.warnings.isEmpty)
        #expect(plan.netdevs.first?.warnings == ["-netdev tap,id=t,sndbuf=0x10k: warning: "
            + "Using a multiplier suffix on hex numbers is deprecated: 0x10k"])
    }

    @Test func errorDescriptionAddsTheHintOnItsOwnLine() {
        #expect(OptionError(location: "-netdev x", message: "m").description == "-netdev x: m")
        #expect(OptionError(location: "-netdev x", message: "m", hint: "h").description == "-netdev x: m\nh")
    }
}
