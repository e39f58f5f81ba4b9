import Testing
@testable import TapRing
@testable import TapRingOptions

/// Real command lines: the `-netdev` and `-device` options of QEMU 7.2's
/// documented examples and `-help` synopsis (notes §7), and those
/// `compare_hub.sh` runs.
@Suite struct CommandLineCorpusTests {
    @Test func manPageTapExample() throws {
        // qemu-system-x86_64 linux.img -netdev tap,id=nd0,ifname=tap0 -device e1000,netdev=nd0
        //                              -netdev tap,id=nd1,ifname=tap1 -device rtl8139,netdev=nd1
        let arguments = netdevs("tap,id=nd0,ifname=tap0") + devices("e1000,netdev=nd0")
            + netdevs("tap,id=nd1,ifname=tap1") + devices("rtl8139,netdev=nd1")
        #expect(failure(arguments) == "-device rtl8139,netdev=nd1: Device 'rtl8139' is not supported by TapRing")

        let plan = try NetworkPlan.parse(Array(arguments.dropLast(2)))
        #expect(plan == NetworkPlan(
            netdevs: [
                .init(id: "nd0", backend: .tap(TapOptions(ifname: "tap0")), device: 0,
                      location: "-netdev tap,id=nd0,ifname=tap0"),
                .init(id: "nd1", backend: .tap(TapOptions(ifname: "tap1")), location: "-netdev tap,id=nd1,ifname=tap1"),
            ],
            devices: [.init(netdev: 0, mac: qemuMAC(0x56), location: "-device e1000,netdev=nd0")],
            peerWarnings: ["warning: netdev nd1 has no peer"]
        ))
    }

    @Test func manPageBridgeHelperExample() throws {
        // qemu-system-x86_64 linux.img -device virtio-net-pci,netdev=n1 \
        //                              -netdev tap,id=n1,"helper=/path/to/qemu-bridge-helper"
        // The shell removes the quotes. With an e1000 for the virtio-net TapRing lacks:
        let plan = try NetworkPlan.parse(
            devices("e1000,netdev=n1") + netdevs("tap,id=n1,helper=/path/to/qemu-bridge-helper"))
        #expect(plan.netdevs.map(\.backend) == [.tap(TapOptions(
            bridgeHelper: BridgeHelper(command: "/path/to/qemu-bridge-helper"), script: nil, downscript: nil))])
    }

    @Test func manPageNicTapExample() throws {
        // #launch a QEMU instance with the default network script
        // qemu-system-x86_64 linux.img -nic tap
        // A tap with QEMU's default scripts, peered with an on-board e1000.
        #expect(try NetworkPlan.parse(["-nic", "tap"]) == NetworkPlan(
            netdevs: [.init(id: "#net0", backend: .tap(TapOptions()), device: 0, location: "-nic tap")],
            devices: [.init(netdev: 0, mac: qemuMAC(0x56), location: "-nic tap")]
        ))
    }

    @Test(arguments: [
        // Each -device ... -netdev socket pair of the man page's socket section.
        ("e1000,netdev=n1,mac=52:54:00:12:34:56", "socket,id=n1,listen=:1234",
         SocketOptions.Mode.listen(host: "", port: 1234), qemuMAC(0x56)),
        ("e1000,netdev=n2,mac=52:54:00:12:34:57", "socket,id=n2,connect=127.0.0.1:1234",
         .connect(host: "127.0.0.1", port: 1234), qemuMAC(0x57)),
        ("e1000,netdev=n1,mac=52:54:00:12:34:56", "socket,id=n1,mcast=230.0.0.1:1234",
         .multicast(group: "230.0.0.1", port: 1234, localAddress: nil), qemuMAC(0x56)),
        ("e1000,netdev=n2,mac=52:54:00:12:34:57", "socket,id=n2,mcast=230.0.0.1:1234",
         .multicast(group: "230.0.0.1", port: 1234, localAddress: nil), qemuMAC(0x57)),
        ("e1000,netdev=n3,mac=52:54:00:12:34:58", "socket,id=n3,mcast=230.0.0.1:1234",
         .multicast(group: "230.0.0.1", port: 1234, localAddress: nil), qemuMAC(0x58)),
        ("e1000,netdev=n1,mac=52:54:00:12:34:56", "socket,id=n1,mcast=239.192.168.1:1102",
         .multicast(group: "239.192.168.1", port: 1102, localAddress: nil), qemuMAC(0x56)),
        ("e1000,netdev=n1,mac=52:54:00:12:34:56", "socket,id=n1,mcast=239.192.168.1:1102,localaddr=1.2.3.4",
         .multicast(group: "239.192.168.1", port: 1102, localAddress: "1.2.3.4"), qemuMAC(0x56)),
    ])
    func manPageSocketExamples(device: String, netdev: String, mode: SocketOptions.Mode, mac: MACAddress) throws {
        // qemu-system-x86_64 linux.img -device <device> -netdev <netdev>
        let plan = try NetworkPlan.parse(devices(device) + netdevs(netdev))
        let id = String(netdev.split(separator: ",")[1].dropFirst(3))
        #expect(plan == NetworkPlan(
            netdevs: [.init(id: id, backend: .socket(SocketOptions(mode: mode)), device: 0,
                location: "-netdev \(netdev)")],
            devices: [.init(netdev: 0, mac: mac, location: "-device \(device)")]
        ))
    }

    @Test func inheritedSocketWithAnE1000() throws {
        let plan = try NetworkPlan.parse(
            netdevs("socket,id=n0,fd=3") + devices("e1000,netdev=n0,addr=03.0,mac=52:54:00:12:34:56"))
        #expect(plan == NetworkPlan(
            netdevs: [.init(id: "n0", backend: .socket(SocketOptions(mode: .inheritedDescriptor(3))), device: 0,
                            location: "-netdev socket,id=n0,fd=3")],
            devices: [.init(netdev: 0, mac: qemuMAC(0x56), pciSlot: PCISlot(slot: 3, function: 0),
                            location: "-device e1000,netdev=n0,addr=03.0,mac=52:54:00:12:34:56")]
        ))
    }

    @Test(arguments: [
        ([], "user,id=n1,ipv6=off", "e1000,netdev=n1,mac=52:54:98:76:54:32", "user"),
        (["-device", "e1000,netdev=n1"], "user,id=n1,tftp=/path/to/tftp/files,bootfile=/pxelinux.0", nil, "user"),
        (["-device", "e1000,netdev=n1"], "l2tpv3,id=n1,src=4.2.3.1,dst=1.2.3.4,udp,srcport=16384,dstport=16384,"
            + "rxsession=0xffffffff,txsession=0xffffffff,counter", nil, "l2tpv3"),
        ([], "type=vhost-user,id=net0,chardev=chr0", "virtio-net-pci,netdev=net0", "vhost-user"),
    ] as [([String], String, String?, String)])
    func manPageExamplesForOtherBackends(before: [String], netdev: String, after: String?, type: String) {
        // The netdev fails before any device is looked at. (`-hda linux.img -boot n`,
        // which precede one of them, are no networking options.)
        let arguments = before + netdevs(netdev) + (after.map { devices($0) } ?? [])
        #expect(failure(arguments) == "-netdev \(netdev): network backend '\(type)' is not supported by TapRing")
    }

    @Test func synopsisTapForms() throws {
        // -netdev tap,id=str[,fd=h][,ifname=name][,script=file][,downscript=dfile][,br=bridge]
        //         [,sndbuf=nbytes][,vnet_hdr=on|off][,vhost=on|off][,vhostforce=on|off][,queues=n][,poll-us=n]
        let full = "tap,id=str,ifname=name,script=file,downscript=dfile,br=bridge,sndbuf=1048576,"
            + "vnet_hdr=off,vhost=off,vhostforce=off,queues=1,poll-us=0"
        #expect(try backend(netdev: full) == .tap(TapOptions(
            ifname: "name", script: "file", downscript: "dfile", vnetHeader: false, sendBufferSize: 1_048_576
        )))
        #expect(try backend(netdev: "tap,id=str,fd=3")
            == .tap(TapOptions(inheritedDescriptor: 3, script: nil, downscript: nil)))
        #expect(try backend(netdev: "tap,id=str,fd=3,sndbuf=0,vhost=off,vhostforce=off,poll-us=0")
            == .tap(TapOptions(inheritedDescriptor: 3, script: nil, downscript: nil, sendBufferSize: 0)))
    }

    @Test(arguments: [
        ("tap,id=str,fds=3:4", "fds"),
        ("tap,id=str,vhostfd=5", "vhostfd"),
        ("tap,id=str,fd=3,vhostfd=5", "vhostfd"),
    ])
    func synopsisTapFormsTapRingLacks(value: String, parameter: String) {
        #expect(failure(netdev: value) == "-netdev \(value): Parameter '\(parameter)' is not supported by TapRing")
    }

    @Test func synopsisSocketForms() throws {
        // -netdev socket,id=str[,fd=h][,listen=[host]:port][,connect=host:port]
        // -netdev socket,id=str[,fd=h][,mcast=maddr:port[,localaddr=addr]]
        // -netdev socket,id=str[,fd=h][,udp=host:port][,localaddr=host:port]
        let plan = try NetworkPlan.parse(netdevs(
            "socket,id=a,fd=5", "socket,id=b,listen=localhost:5000", "socket,id=c,connect=peer.example:5000",
            "socket,id=d,mcast=230.0.0.1:5000,localaddr=192.168.0.1",
            "socket,id=e,udp=10.0.0.2:5001,localaddr=10.0.0.1:5001"
        ))
        #expect(plan.netdevs.map(\.backend) == [
            .socket(SocketOptions(mode: .inheritedDescriptor(5))),
            .socket(SocketOptions(mode: .listen(host: "localhost", port: 5000))),
            .socket(SocketOptions(mode: .connect(host: "peer.example", port: 5000))),
            .socket(SocketOptions(mode: .multicast(group: "230.0.0.1", port: 5000, localAddress: "192.168.0.1"))),
            .socket(SocketOptions(mode: .udp(localHost: "10.0.0.1", localPort: 5001, remoteHost: "10.0.0.2",
                remotePort: 5001))),
        ])
        // The synopsis's `port` placeholder is no port number. QEMU resolves the
        // name before it reads the port, so the host is one /etc/hosts answers:
        // the placeholder `host` would send a DNS query off the machine.
        #expect(failure(netdev: "socket,id=str,udp=localhost:port,localaddr=localhost:port")
            == "-netdev socket,id=str,udp=localhost:port,localaddr=localhost:port: port number 'port' is invalid")
    }

    @Test func synopsisHubportForms() throws {
        // -netdev hubport,id=str,hubid=n[,netdev=nd]
        let plan = try NetworkPlan.parse(netdevs(
            "hubport,id=str,hubid=3", "tap,id=nd", "hubport,id=str2,hubid=3,netdev=nd"
        ))
        #expect(plan.netdevs.map(\.backend) == [
            .hubport(HubPortOptions(hubID: 3)),
            .tap(TapOptions()),
            .hubport(HubPortOptions(hubID: 3, netdev: "nd")),
        ])
        #expect(plan.netdevs.map(\.peer) == [nil, 2, 1])
        #expect(plan.peerWarnings == [
            "warning: hub port str has no peer", "warning: hub 3 with no nics", "warning: netdev str has no peer",
        ])
    }

    @Test(arguments: 2...4)
    func compareHubScript(ports: Int) throws {
        // compare_hub.sh:
        // -netdev tap,id=t$i,ifname=cmp$i,script=no,downscript=no -netdev hubport,id=p$i,hubid=0,netdev=t$i
        let arguments = (0..<ports).flatMap { i in
            netdevs("tap,id=t\(i),ifname=cmp\(i),script=no,downscript=no", "hubport,id=p\(i),hubid=0,netdev=t\(i)")
        }
        let expected = (0..<ports).flatMap { i -> [NetworkPlan.Netdev] in
            let tap = "tap,id=t\(i),ifname=cmp\(i),script=no,downscript=no"
            let port = "hubport,id=p\(i),hubid=0,netdev=t\(i)"
            return [
                .init(id: "t\(i)", backend: .tap(TapOptions(ifname: "cmp\(i)", script: nil, downscript: nil)),
                      peer: 2 * i + 1, location: "-netdev \(tap)"),
                .init(id: "p\(i)", backend: .hubport(HubPortOptions(hubID: 0, netdev: "t\(i)")),
                      peer: 2 * i, location: "-netdev \(port)"),
            ]
        }
        #expect(try NetworkPlan.parse(arguments)
            == NetworkPlan(netdevs: expected, peerWarnings: ["warning: hub 0 with no nics"]))
    }
}
