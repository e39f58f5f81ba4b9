import Testing
@testable import TapRing
@testable import TapRingOptions

/// The documented examples of QEMU 7.2 for the options this suite's
/// neighbours do not cover: `-nic`, `-net`, `-netdev stream` and `dgram`
/// (their `-help` synopsis, the only documentation 7.2 has for them),
/// `-object filter-dump` and the other network filters, from the
/// qemu-system man page ("Network options", "-object") and the system
/// manual's pages on networking, record/replay, boot order and microvm.
/// Each was also run through qemu-system-x86_64 7.2.
@Suite struct NetworkOptionsCorpusTests {
    @Test(arguments: [
        // qemu-system-x86_64 -nic user,ipv6=off,model=e1000,mac=52:54:98:76:54:32
        "user,ipv6=off,model=e1000,mac=52:54:98:76:54:32",
        // qemu-system-x86_64 -nic user,dnssearch=mgmt.example.org,dnssearch=example.org
        "user,dnssearch=mgmt.example.org,dnssearch=example.org",
        // qemu-system-x86_64 -nic user,hostfwd=tcp:127.0.0.1:6001-:6000
        "user,hostfwd=tcp:127.0.0.1:6001-:6000",
        // qemu-system-x86_64 -nic user,hostfwd=tcp::5555-:23
        "user,hostfwd=tcp::5555-:23",
        // qemu-system-x86_64 -nic user,guestfwd=tcp:10.0.2.100:1234-tcp:10.10.1.1:4321
        "user,guestfwd=tcp:10.0.2.100:1234-tcp:10.10.1.1:4321",
        // qemu-system-x86_64 -nic  'user,id=n1,guestfwd=tcp:10.0.2.100:1234-cmd:netcat 10.10.1.1 4321'
        "user,id=n1,guestfwd=tcp:10.0.2.100:1234-cmd:netcat 10.10.1.1 4321",
    ])
    func manPageUserNICExamples(value: String) {
        #expect(failure(nics(value)) == "-nic \(value): network backend 'user' is not supported by TapRing")
    }

    @Test func manPageVDEExample() {
        // qemu-system-x86_64 linux.img -nic vde,sock=/tmp/myswitch
        #expect(failure(nics("vde,sock=/tmp/myswitch"))
            == "-nic vde,sock=/tmp/myswitch: network backend 'vde' is not supported by TapRing")
    }

    @Test func nicNoneConfiguresNothing() throws {
        // -nic none: Indicate that no network devices should be configured.
        #expect(try NetworkPlan.parse(nics("none")) == NetworkPlan(netdevs: []))
        // replay.html: -net none option should be specified when network is not used
        #expect(try NetworkPlan.parse(nets("none")) == NetworkPlan(netdevs: []))
    }

    @Test func nicSynopsisForms() throws {
        // -nic [tap|bridge|user|l2tpv3|vde|netmap|vhost-user|socket][,...][,mac=macaddr][,model=mn]
        let plan = try NetworkPlan.parse(nics(
            "tap,ifname=tap0,script=no,downscript=no,mac=52:54:00:12:34:60,model=e1000",
            "socket,listen=:1234", "hubport,hubid=1"))
        #expect(plan.netdevs.map(\.id) == ["#net0", "#net1", "#net2"])
        #expect(plan.netdevs.map(\.backend) == [
            .tap(TapOptions(ifname: "tap0", script: nil, downscript: nil)),
            .socket(SocketOptions(mode: .listen(host: "", port: 1234))),
            .hubport(HubPortOptions(hubID: 1)),
        ])
        #expect(plan.devices.map(\.mac) == [qemuMAC(0x60), qemuMAC(0x56), qemuMAC(0x57)])
        #expect(plan.devices.map(\.netdev) == [0, 1, 2])
        #expect(plan.netdevs.map(\.device) == [0, 1, 2])
        for type in ["user", "vde", "vhost-user"] {
            #expect(failure(nics(type)) == "-nic \(type): network backend '\(type)' is not supported by TapRing")
        }
        // Its members are read first, as QEMU reads them: l2tpv3 needs some.
        #expect(failure(nics("l2tpv3")) == "-nic l2tpv3: Parameter 'src' is missing")
        #expect(failure(nics("netmap,ifname=netmap0"))
            == "-nic netmap,ifname=netmap0: network backend 'netmap' is not compiled into this binary")
        #expect(failure(nics("tap,model=rtl8139"))
            == "-nic tap,model=rtl8139: Device 'rtl8139' is not supported by TapRing")
    }

    @Test func netNICSynopsis() throws {
        // -net nic[,netdev=nd][,macaddr=mac][,model=type][,name=name][,addr=addr][,vectors=v]
        // QEMU 5.1 removed name=, though the 7.2 manual still lists it.
        let value = "nic,netdev=nd,macaddr=52:54:00:12:34:60,model=e1000,addr=5,vectors=0"
        let plan = try NetworkPlan.parse(netdevs("tap,id=nd") + nets(value))
        #expect(plan == NetworkPlan(
            netdevs: [.init(id: "nd", backend: .tap(TapOptions()), device: 0, location: "-netdev tap,id=nd")],
            devices: [.init(netdev: 0, mac: qemuMAC(0x60), pciSlot: PCISlot(slot: 5), location: "-net \(value)")]
        ))
        #expect(failure(nets("nic,name=name")) == "-net nic,name=name: Invalid parameter 'name'")
    }

    @Test func netNICConnectsToHub0() throws {
        // net.html: The legacy -net option also connects the given device to the emulated hub
        // with ID 0 (i.e. the default hub) unless you specify a netdev with -net nic,netdev=xxx here.
        let plan = try NetworkPlan.parse(nets("nic,model=e1000", "tap,ifname=tap0,script=no,downscript=no"))
        #expect(plan == NetworkPlan(
            netdevs: [
                .init(id: "hub0port0", backend: .hubport(HubPortOptions(hubID: 0)), device: 0,
                      location: "-net nic,model=e1000"),
                .init(id: "hub0port1", backend: .hubport(HubPortOptions(hubID: 0)), peer: 2,
                      location: "-net tap,ifname=tap0,script=no,downscript=no"),
                .init(id: "#net1", backend: .tap(TapOptions(ifname: "tap0", script: nil, downscript: nil)), peer: 1,
                      location: "-net tap,ifname=tap0,script=no,downscript=no"),
            ],
            devices: [.init(netdev: 0, mac: qemuMAC(0x56), location: "-net nic,model=e1000")]
        ))
    }

    @Test func netBackendSynopsis() throws {
        // -net user|tap|bridge|socket|l2tpv3|vde[,...][,name=name]
        let plan = try NetworkPlan.parse(nets("tap,id=t0", "socket,connect=127.0.0.1:1234"))
        #expect(plan.netdevs.map(\.id) == ["hub0port0", "t0", "hub0port1", "#net0"])
        #expect(plan.netdevs.map(\.peer) == [1, 0, 3, 2])
        #expect(plan.warnings.isEmpty)
        for type in ["user", "l2tpv3,src=a,dst=b,txsession=1", "vde"] {
            let name = type.prefix { $0 != "," }
            #expect(failure(nets(type)) == "-net \(type): network backend '\(name)' is not supported by TapRing")
        }
        #expect(failure(nets("tap,name=name")) == "-net tap,name=name: Invalid parameter 'name'")
    }

    @Test func streamSynopsisForms() throws {
        // -netdev stream,id=str[,server=on|off],addr.type=inet,addr.host=host,addr.port=port[,to=maxport]
        //         [,numeric=on|off][,keep-alive=on|off][,mptcp=on|off][,addr.ipv4=on|off][,addr.ipv6=on|off]
        // -netdev stream,id=str[,server=on|off],addr.type=unix,addr.path=path[,abstract=on|off][,tight=on|off]
        // -netdev stream,id=str[,server=on|off],addr.type=fd,addr.str=file-descriptor
        let plan = try NetworkPlan.parse(netdevs(
            "stream,id=a,server=on,addr.type=inet,addr.host=localhost,addr.port=1234,addr.to=1240,addr.numeric=off,"
                + "addr.keep-alive=on,addr.mptcp=off,addr.ipv4=on,addr.ipv6=off",
            "stream,id=b,server=off,addr.type=unix,addr.path=/tmp/qemu.sock,addr.abstract=on,addr.tight=off",
            "stream,id=c,addr.type=fd,addr.str=4"))
        #expect(plan.netdevs.map(\.backend) == [
            .stream(StreamOptions(address: .inet(.init(
                host: "localhost", port: "1234", ipv4: true, ipv6: false, to: 1240, keepAlive: true, mptcp: false)),
                server: true)),
            .stream(StreamOptions(address: .unix(path: "/tmp/qemu.sock", abstract: true, tight: false))),
            .stream(StreamOptions(address: .fd(4))),
        ])
        // The synopsis leaves out the `addr.` of the inet and unix options it lists after the port or path.
        let literal = "stream,id=a,addr.type=inet,addr.host=localhost,addr.port=1234,to=1240"
        #expect(failure(netdevs(literal)) == "-netdev \(literal): Parameter 'to' is unexpected")
    }

    @Test func dgramSynopsisForms() throws {
        // -netdev dgram,id=str,remote.type=inet,remote.host=maddr,remote.port=port[,local.type=inet,local.host=addr]
        // -netdev dgram,id=str,remote.type=inet,remote.host=maddr,remote.port=port
        //     [,local.type=fd,local.str=file-descriptor]
        // -netdev dgram,id=str,local.type=inet,local.host=addr,local.port=port
        //     [,remote.type=inet,remote.host=addr,remote.port=port]
        // -netdev dgram,id=str,local.type=unix,local.path=path[,remote.type=unix,remote.path=path]
        // -netdev dgram,id=str,local.type=fd,local.str=file-descriptor
        let plan = try NetworkPlan.parse(netdevs(
            "dgram,id=m,remote.type=inet,remote.host=230.0.0.1,remote.port=1234",
            "dgram,id=n,remote.type=inet,remote.host=230.0.0.1,remote.port=1234,local.type=inet,local.host=192.168.0.1,"
                + "local.port=0",
            "dgram,id=f,remote.type=inet,remote.host=230.0.0.1,remote.port=1234,local.type=fd,local.str=5",
            "dgram,id=u,local.type=inet,local.host=0.0.0.0,local.port=5000,remote.type=inet,remote.host=10.0.0.2,"
                + "remote.port=5001",
            "dgram,id=x,local.type=unix,local.path=/tmp/a.sock,remote.type=unix,remote.path=/tmp/b.sock",
            "dgram,id=d,local.type=fd,local.str=6"))
        let group = SocketAddress.inet(.init(host: "230.0.0.1", port: "1234", numeric: true))
        #expect(plan.netdevs.map(\.backend) == [
            .dgram(DgramOptions(remote: group)),
            .dgram(DgramOptions(local: .inet(.init(host: "192.168.0.1", port: "0", numeric: true)), remote: group)),
            .dgram(DgramOptions(local: .fd(5), remote: group)),
            .dgram(DgramOptions(local: .inet(.init(host: "0.0.0.0", port: "5000", numeric: true)),
                                remote: .inet(.init(host: "10.0.0.2", port: "5001", numeric: true)))),
            .dgram(DgramOptions(local: .unix(path: "/tmp/a.sock"), remote: .unix(path: "/tmp/b.sock"))),
            .dgram(DgramOptions(local: .fd(6))),
        ])
        // The first form's local address needs a port all the same.
        let portless = "dgram,id=m,remote.type=inet,remote.host=230.0.0.1,remote.port=1234,"
            + "local.type=inet,local.host=1.2.3.4"
        #expect(failure(netdevs(portless)) == "-netdev \(portless): Parameter 'local.port' is missing")
    }

    @Test func nicHubportAndNetdevHubport() throws {
        // net.html: You can connect guest NICs or host network backends to such a hub using
        // the -netdev hubport or -nic hubport options.
        let plan = try NetworkPlan.parse(nics("hubport,hubid=0") + netdevs("tap,id=t", "hubport,id=h,hubid=0,netdev=t"))
        #expect(plan.netdevs.map(\.id) == ["t", "h", "#net0"])
        #expect(plan.netdevs.map(\.peer) == [1, 0, nil])
        #expect(plan.netdevs.map(\.device) == [nil, nil, 0])
    }

    @Test func filterDumpSynopsis() throws {
        // -object filter-dump,id=id,netdev=dev[,file=filename][,maxlen=len][,position=head|tail|id=<id>]
        //         [,insert=behind|before]
        // Dump the network traffic on netdev dev to the file specified by filename. At most len bytes
        // (64k by default) per packet are stored.
        let plan = try NetworkPlan.parse(netdevs("tap,id=dev") + objects(
            "filter-dump,id=id,netdev=dev,file=filename",
            "filter-dump,id=id2,netdev=dev,file=f2.pcap,maxlen=128,position=id=id,insert=before",
            "filter-dump,id=id3,netdev=dev,file=f3.pcap,position=head,queue=tx,status=off"))
        #expect(plan.dumps == [
            PacketDumpOptions(id: "id", netdev: 0, file: "filename"),
            PacketDumpOptions(id: "id2", netdev: 0, file: "f2.pcap", maxLength: 128),
            PacketDumpOptions(id: "id3", netdev: 0, file: "f3.pcap", direction: .tx, enabled: false),
        ])
        // The brackets notwithstanding, QEMU requires file=.
        #expect(failure(netdevs("tap,id=dev") + objects("filter-dump,id=id,netdev=dev"))
            == "-object filter-dump,id=id,netdev=dev: Parameter 'file' is missing")
    }

    @Test(arguments: [
        // -object filter-buffer,id=id,netdev=netdevid,interval=t[,queue=all|rx|tx][,status=on|off][,position=...]
        ("filter-buffer,id=id,netdev=hn0,interval=1000,queue=all,status=on,position=head,insert=behind",
         "filter-buffer"),
        // -object filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0
        ("filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0", "filter-mirror"),
        // -object filter-redirector,netdev=hn0,id=redire0,queue=rx,indev=compare_out
        ("filter-redirector,netdev=hn0,id=redire0,queue=rx,indev=compare_out", "filter-redirector"),
        // -object filter-rewriter,id=rew0,netdev=hn0,queue=all
        ("filter-rewriter,id=rew0,netdev=hn0,queue=all", "filter-rewriter"),
        // -object colo-compare,id=comp0,primary_in=compare0-0,secondary_in=compare1,outdev=compare_out0,
        //     iothread=iothread1
        ("colo-compare,id=comp0,primary_in=compare0-0,secondary_in=compare1,outdev=compare_out0,iothread=iothread1",
         "colo-compare"),
        // -object iothread,id=iothread1
        ("iothread,id=iothread1", "iothread"),
        // replay.html: -object filter-replay,id=replay,netdev=net1
        ("filter-replay,id=replay,netdev=hn0", "filter-replay"),
    ])
    func manPageFiltersTapRingLacks(object: String, type: String) throws {
        // KVM COLO primary: -netdev tap,id=hn0,vhost=off,script=/etc/qemu-ifup,downscript=/etc/qemu-ifdown
        //                   -device e1000,id=e0,netdev=hn0,mac=52:a4:00:12:78:66
        let arguments = netdevs("tap,id=hn0,vhost=off,script=/etc/qemu-ifup,downscript=/etc/qemu-ifdown")
            + devices("e1000,id=e0,netdev=hn0,mac=52:a4:00:12:78:66") + objects(object)
        #expect(failure(arguments) == "-object \(object): object type '\(type)' is not supported by TapRing")
        #expect(try NetworkPlan.parse(Array(arguments.dropLast(2))).devices
            == [.init(id: "e0", netdev: 0, mac: MACAddress(0x52, 0xa4, 0, 0x12, 0x78, 0x66),
                      location: "-device e1000,id=e0,netdev=hn0,mac=52:a4:00:12:78:66")])
    }

    @Test func coloSecondaryTypo() {
        // KVM COLO secondary: -netdev tap,id=hn0,vhost=off,script=/etc/qemu-ifup,down script=/etc/qemu-ifdown
        // The shell splits the option at the space.
        #expect(failure(["-netdev", "tap,id=hn0,vhost=off,script=/etc/qemu-ifup,down", "script=/etc/qemu-ifdown"])
            == "script=/etc/qemu-ifdown: invalid option")
    }

    @Test func manualPagesOtherExamples() {
        // replay.html: -netdev user,id=net1 -device rtl8139,netdev=net1 -object filter-replay,id=replay,netdev=net1
        #expect(failure(netdevs("user,id=net1") + devices("rtl8139,netdev=net1")
                + objects("filter-replay,id=replay,netdev=net1"))
            == "-netdev user,id=net1: network backend 'user' is not supported by TapRing")
        // bootindex.html: -netdev type=user,id=net0 -device virtio-net-pci,netdev=net0,bootindex=2
        #expect(failure(netdevs("type=user,id=net0") + devices("virtio-net-pci,netdev=net0,bootindex=2"))
            == "-netdev type=user,id=net0: network backend 'user' is not supported by TapRing")
        // microvm.html: -netdev tap,id=tap0,script=no,downscript=no -device virtio-net-device,netdev=tap0
        #expect(failure(netdevs("tap,id=tap0,script=no,downscript=no") + devices("virtio-net-device,netdev=tap0"))
            == "-device virtio-net-device,netdev=tap0: Device 'virtio-net-device' is not supported by TapRing")
    }

    @Test func jsonForms() throws {
        // -netdev and -device take QEMU's JSON too (qobject_input_visitor_new_str(), qdev_device_add_from_qdict()).
        let netdev = #"{"type":"tap","id":"n0","ifname":"tap0"}"#
        let device = #"{"driver":"e1000","netdev":"n0"}"#
        #expect(try NetworkPlan.parse(netdevs(netdev) + devices(device)) == NetworkPlan(
            netdevs: [.init(id: "n0", backend: .tap(TapOptions(ifname: "tap0")), device: 0,
                location: "-netdev \(netdev)")],
            devices: [.init(netdev: 0, mac: qemuMAC(0x56), location: "-device \(device)")]
        ))
    }
}
