import Testing

@testable import TapRingOptions

/// `-netdev bridge` and `-netdev tap,helper=`, read as QEMU 7.2's
/// `net_init_bridge()` and `net_init_tap()` read them: a tap the helper
/// opens, with no scripts.
struct BridgeOptionsTests {
    private static func helperTap(_ command: String = BridgeHelper.defaultCommand, bridge: String = "br0")
        -> NetdevBackend
    {
        .tap(TapOptions(bridgeHelper: BridgeHelper(command: command, bridge: bridge), script: nil, downscript: nil))
    }

    @Test func synopsisForms() throws {
        // -netdev bridge,id=str[,br=bridge][,helper=helper]
        #expect(try backend(netdev: "bridge,id=n0") == Self.helperTap())
        #expect(try backend(netdev: "bridge,id=n0,br=virbr0,helper=/usr/local/libexec/qemu-bridge-helper")
            == Self.helperTap("/usr/local/libexec/qemu-bridge-helper", bridge: "virbr0"))
        // -netdev tap,id=str[,...][,br=bridge][,helper=helper]
        #expect(try backend(netdev: "tap,id=n0,helper=/h") == Self.helperTap("/h"))
        #expect(try backend(netdev: "tap,id=n0,br=b1,helper=/h,sndbuf=1k") == .tap(TapOptions(
            bridgeHelper: BridgeHelper(command: "/h", bridge: "b1"), script: nil, downscript: nil,
            sendBufferSize: 1024)))
        // Without helper=, br= does nothing.
        #expect(try backend(netdev: "tap,id=n0,br=b1") == .tap(TapOptions()))
    }

    @Test(arguments: [
        // qemu-system-x86_64 linux.img -netdev bridge,id=n1 -device virtio-net,netdev=n1
        "bridge,id=n1",
        // qemu-system-x86_64 linux.img -netdev bridge,br=qemubr0,id=n1 -device virtio-net,netdev=n1
        "bridge,br=qemubr0,id=n1",
    ])
    func manPageExamples(netdev: String) throws {
        // With an e1000 for the virtio-net TapRing lacks.
        let plan = try NetworkPlan.parse(netdevs(netdev) + devices("e1000,netdev=n1"))
        #expect(plan.netdevs.map(\.backend)
            == [Self.helperTap(bridge: netdev.contains("qemubr0") ? "qemubr0" : "br0")])
        #expect(plan.devices.map(\.netdev) == [0])
    }

    @Test func legacyFormsGoOnHubZero() throws {
        // -net bridge[,br=bridge][,helper=helper] and -nic bridge
        let net = try NetworkPlan.parse(nets("nic,model=e1000", "bridge,br=b2"))
        let bridge = try #require(net.netdevs.firstIndex { $0.backend == Self.helperTap(bridge: "b2") })
        let peer = try #require(net.netdevs[bridge].peer)
        #expect(net.netdevs[peer].backend == .hubport(HubPortOptions(hubID: 0)))
        let nic = try NetworkPlan.parse(nics("bridge,helper=/h"))
        #expect(nic.netdevs.map(\.backend) == [Self.helperTap("/h")])
        #expect(nic.devices.count == 1)
    }

    @Test(arguments: ["ifname=t0", "script=no", "downscript=no", "vnet_hdr=on", "vnet_hdr=off", "queues=1",
                      "vhostfds=5:6"])
    func helperExcludesWhatWouldOpenTheTap(member: String) {
        #expect(failure(netdev: "tap,id=n0,helper=/h,\(member)") == "-netdev tap,id=n0,helper=/h,\(member): "
            + "ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=")
    }

    @Test(arguments: ["ifname=t0", "script=no", "vnet_hdr=on", "helper=/h", "queues=2", "vhostfd=5"])
    func fdsExcludesWhatWouldOpenTheTap(member: String) {
        #expect(failure(netdev: "tap,id=n0,fds=3:4,\(member)") == "-netdev tap,id=n0,fds=3:4,\(member): "
            + "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=")
    }

    @Test func bridgeMembers() throws {
        #expect(failure(netdev: "bridge,id=n0,ifname=t0")
            == "-netdev bridge,id=n0,ifname=t0: Invalid parameter 'ifname'")
        // QemuOpts reads a bare key as "on", with its warning.
        #expect(try backend(netdev: "bridge,id=n0,br") == Self.helperTap(bridge: "on"))
    }

    @Test func helperInvocations() {
        let program = BridgeHelper(command: "/usr/lib/qemu/qemu-bridge-helper", bridge: "br1")
        #expect(program.invocation(socket: 3).path == "/usr/lib/qemu/qemu-bridge-helper")
        #expect(program.invocation(socket: 3).arguments
            == ["/usr/lib/qemu/qemu-bridge-helper", "--use-vnet", "--fd=3", "--br=br1"])
        // A space or a tab makes it a shell command, QEMU's arguments appended.
        let command = BridgeHelper(command: "sudo helper", bridge: "br1").invocation(socket: 3)
        #expect(command.path == "/bin/sh")
        #expect(command.arguments == ["sh", "-c", "sudo helper --use-vnet --fd=3 --br=br1"])
        #expect(BridgeHelper(command: "helper\t--br=x", bridge: "br1").invocation(socket: 3).arguments
            == ["sh", "-c", "helper\t--br=x --use-vnet --fd=3 "])
    }
}
