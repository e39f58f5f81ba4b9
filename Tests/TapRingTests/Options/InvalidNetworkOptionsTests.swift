import Testing
@testable import TapRing
@testable import TapRingOptions

/// Command lines QEMU 7.2 or TapRing refuses, one per case, each with its
/// exact report. Unless marked TapRing's, each message is the one
/// qemu-system-x86_64 7.2 prints; where QEMU prints none of the option
/// (objects and on-board NICs are created after the command line is
/// read), TapRing still names it.
@Suite struct InvalidNetworkOptionsTests {
    private static let port = ["-netdev", "hubport,id=n0,hubid=0"]

    @Test(arguments: [
        // -netdev stream: keyval syntax and QAPI types.
        (["stream,id=a"], "Parameter 'addr' is missing"),
        (["stream"], "Parameter 'id' is missing"),
        (["stream,id=a,addr.type=foo"], "Parameter 'type' does not accept value 'foo'"),
        (["stream,id=a,addr.type=inet,addr.host=localhost"], "Parameter 'addr.port' is missing"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,foo=1"], "Parameter 'foo' is unexpected"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,addr.foo=1"], "Parameter 'addr.foo' is unexpected"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,server=maybe"],
         "Parameter 'server' expects 'on' or 'off'"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,addr.ipv4=x"],
         "Parameter 'addr.ipv4' expects 'on' or 'off'"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,addr.to=x"], "Parameter 'addr.to' expects integer"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,addr.to=70000"], "Parameter 'to' expects uint16_t"),
        (["stream,id=a,addr=x"], "Invalid parameter type for 'addr', expected: object"),
        (["stream,id=a,addr.type=fd"], "Parameter 'addr.str' is missing"),
        (["stream,id=a,addr.type=inet,addr.host.x=1,addr.port=1"], "Parameters 'addr.host.*' are unexpected"),
        (["stream,id=a,addr=x,addr.type=inet"], "Parameters 'addr.*' used inconsistently"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,server"], "Expected '=' after parameter 'server'"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,help"], "Help is not available for this option"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,a..b=1"], "Invalid parameter 'a..b'"),
        (["stream,id=a,addr.type=inet,addr.host=h,addr.port=1,reconnect=1"], "Parameter 'reconnect' is unexpected"),
        // -netdev dgram: net_init_dgram()'s rules.
        (["dgram,id=d"], "dgram requires local= parameter"),
        (["dgram,id=d,remote.type=inet,remote.host=127.0.0.1,remote.port=1"], "dgram requires local= parameter"),
        (["dgram,id=d,local.type=unix,local.path=/tmp/u"], "type=inet or type=unix requires remote parameter"),
        (["dgram,id=d,local.type=fd,local.str=3,remote.type=inet,remote.host=127.0.0.1,remote.port=1"],
         "don't set remote with local.fd"),
        (["dgram,id=d,local.type=unix,local.path=/tmp/u,remote.type=inet,remote.host=127.0.0.1,remote.port=1"],
         "remote and local types must be the same"),
        (["dgram,id=d,local.type=vsock,local.cid=1,local.port=2,remote.type=vsock,remote.cid=1,remote.port=2"],
         "only support inet or fd type for local"),
        (["dgram,id=d,remote.type=inet,remote.host=230.0.0.1,remote.port=1234,local.type=unix,local.path=/tmp/u"],
         "only support inet or fd type for local"),
        (["dgram,id=d,remote.type=inet,remote.host=230.0.0.1,remote.port=1234,"
            + "local.type=inet,local.host=x,local.port=1"],
         "localaddr 'x' is not a valid IPv4 address"),
        (["dgram,id=d,remote.type=inet,remote.host=230.0.0.1,remote.port=x"], "port number 'x' is invalid"),
        (["dgram,id=d,remote.type=inet,remote.host=300.0.0.1,remote.port=1"],
         "host address '300.0.0.1' is not a valid IPv4 address"),
        (["dgram,id=d,local.type=fd,local.str=3x"], "Invalid file descriptor number '3x'"),
        (["dgram,id=d,local.type=unix,local.path=/tmp/\(String(repeating: "a", count: 120))"
            + ",remote.type=unix,remote.path=/r"],
         "UNIX socket path '/tmp/\(String(repeating: "a", count: 120))' is too long"),
        // -netdev in JSON.
        ([#"{"type":"hubport","id":"n0","hubid":0,"foo":1}"#], "Parameter 'foo' is unexpected"),
        ([#"{"type":"hubport","id":"n0","hubid":"0"}"#], "Invalid parameter type for 'hubid', expected: integer"),
        ([#"{"type":"hubport","id":"n0","hubid":4294967296}"#], "Parameter 'hubid' expects int32_t"),
        ([#"{"type":"tap","id":"n0","vnet_hdr":"on"}"#], "Invalid parameter type for 'vnet_hdr', expected: boolean"),
        ([#"{"type":"tap","id":"n0","ifname":5}"#], "Invalid parameter type for 'ifname', expected: string"),
        ([#"{"type":"tap","id":"n0","sndbuf":"1k"}"#], "Parameter 'sndbuf' expects uint64"),
        ([#"{"type":"tap","id":"n0","queues":-1}"#], "Parameter 'queues' expects uint32_t"),
        ([#"{"type":"bogus","id":"a"}"#], "Parameter 'type' does not accept value 'bogus'"),
        ([#"{"type":"stream","id":"a","addr":{"type":"unix","path":5}}"#],
         "Invalid parameter type for 'addr.path', expected: string"),
        (["{"], "JSON parse error, premature EOI"),
        ([#"{"type"}"#], "JSON parse error, missing : in object pair"),
        ([#"{"type":"tap",}"#], "JSON parse error, expecting value"),
        ([#"{"type":tap}"#], "JSON parse error, invalid keyword 'tap'"),
        ([#"{"type":"hubport","id":"a","hubid":0} x"#], "Expecting at most one JSON value"),
        ([#"{"type":"hubport","id":"a","hubid":0,"hubid":1}"#], "JSON parse error, duplicate key"),
        ([#"{"type":"hubport","id":"a","hubid":01}"#], "JSON parse error, stray '01'"),
        ([#"{"type":"hubport","id":"a","hubid":0,"x":[1,2}"#], "JSON parse error, expected separator in list"),
        ([#"{"type":"hubport","id":"a","hubid":0,"s":"\q"}"#], "JSON parse error, invalid escape sequence in string"),
        ([#"{"type":"hubport","id":"a","hubid":0,"s":"x"#], #"JSON parse error, stray '"x'"#),
    ] as [([String], String)])
    func netdevs(values: [String], message: String) {
        #expect(failure(values.flatMap { ["-netdev", $0] }) == "-netdev \(values[0]): \(message)")
    }

    @Test(arguments: [
        ("hubport,hubid=0,mac=zz", "invalid syntax for ethernet address"),
        ("hubport,hubid=0,mac=01:00:00:00:00:01", "NIC cannot have multicast MAC address"),
        ("hubport,hubid=0,mac=1:2:3:4:5:6", "NIC cannot have multicast MAC address"),
        ("hubport,hubid=0,mac=52:54:00:12:34", "invalid syntax for ethernet address"),
        ("hubport,hubid=0,mac=zz,foo=1", "invalid syntax for ethernet address"),
        ("hubport,hubid=0,foo=1", "Invalid parameter 'foo'"),
        ("hubport,hubid=0,addr=3", "Invalid parameter 'addr'"),
        ("hubport,hubid=0,model=bogus", "Unsupported NIC model: bogus"),
        ("hubport,hubid=0,model=e1000-82540em", "Unsupported NIC model: e1000-82540em"),
        ("hubport,hubid=0,model=virtio", "Device 'virtio-net-pci' is not supported by TapRing"),
        ("hubport", "Parameter 'hubid' is missing"),
        ("hubport,hubid=0,netdev=zz", "netdev 'zz' not found"),
        ("tap,vlan=1", "Invalid parameter 'vlan'"),
        ("nic", "network backend 'nic' is not compiled into this binary"),
        ("model=e1000", "network backend 'user' is not supported by TapRing"),
        ("stream,addr.type=unix,addr.path=/tmp/x", "Parameter 'type' is missing"),
        ("dgram", "dgram requires local= parameter"),
        ("help", "Parameter 'type' does not accept value 'help'"),
        ("?", "Parameter 'type' does not accept value '?'"),
    ])
    func nics(value: String, message: String) {
        #expect(failure(["-nic", value]) == "-nic \(value): \(message)")
    }

    @Test func nicIDs() {
        #expect(failure(["-nic", "hubport,hubid=0,id=1a"]) == """
            -nic hubport,hubid=0,id=1a: Parameter 'id' expects an identifier
            Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.
            """)
        #expect(failure(["-nic", "hubport,hubid=0,id=x", "-nic", "hubport,hubid=1,id=x"])
            == "-nic hubport,hubid=1,id=x: Duplicate ID 'x' for nic")
        // Every -netdev is created before any -nic.
        #expect(failure(["-nic", "hubport,hubid=0,id=x", "-netdev", "hubport,id=x,hubid=1"])
            == "-nic hubport,hubid=0,id=x: Duplicate ID 'x'")
        #expect(failure(Array(repeating: ["-nic", "hubport,hubid=0"], count: 9).flatMap(\.self))
            == "-nic hubport,hubid=0: no more on-board/default NIC slots available")
    }

    @Test(arguments: [
        ("nic,vlan=1", "Invalid parameter 'vlan'"), ("tap,vlan=2,ifname=tap0", "Invalid parameter 'vlan'"),
        ("nic,macaddr=zz", "invalid syntax for ethernet address"),
        ("nic,macaddr=01:00:00:00:00:01", "NIC cannot have multicast MAC address (odd 1st byte)"),
        ("nic,netdev=zz", "netdev 'zz' not found"),
        ("nic,vectors=134217728", "invalid # of vectors: 134217728"),
        ("nic,vectors=x", "Parameter 'vectors' expects a uint64 value"),
        ("nic,addr=zz", "Invalid PCI device address zz for device e1000"),
        ("nic,addr=3.0", "Invalid PCI device address 3.0 for device e1000"),
        ("nic,addr=1:3", "Invalid PCI device address 1:3 for device e1000"),
        ("nic,addr=1:0:3", "No support for non-zero PCI domains"),
        ("nic,addr=20", "Invalid PCI device address 20 for device e1000"),
        ("nic,model=bogus", "Unsupported NIC model: bogus"),
        ("nic,model=rtl8139", "Device 'rtl8139' is not supported by TapRing"),
        ("nic,foo=1", "Invalid parameter 'foo'"),
        ("nic,mac=52:54:00:12:34:56", "Invalid parameter 'mac'"),
        ("nic,name=foo", "Invalid parameter 'name'"),
        ("none,foo=1", "Invalid parameter 'foo'"),
        ("bogus", "Parameter 'type' does not accept value 'bogus'"),
        ("hubport,hubid=1", "network backend 'hubport' is only supported with -netdev/-nic"),
        ("netmap,ifname=x", "network backend 'netmap' is not compiled into this binary"),
        ("stream", "Parameter 'type' is missing"),
        ("dgram", "dgram requires local= parameter"),
        ("dgram,local.type=unix", "Invalid parameter 'local.type'"),
        ("socket", "exactly one of listen=, connect=, mcast= or udp= is required"),
        ("user", "network backend 'user' is not supported by TapRing"),
    ])
    func nets(value: String, message: String) {
        #expect(failure(["-net", value]) == "-net \(value): \(message)")
    }

    @Test func netIDsAndPeers() {
        #expect(failure(["-net", "nic,id=x", "-net", "nic,id=x"]) == "-net nic,id=x: Duplicate ID 'x' for net")
        #expect(failure(["-netdev", "hubport,id=x,hubid=1", "-net", "nic,id=x"]) == "-net nic,id=x: Duplicate ID 'x'")
        #expect(failure(Array(repeating: ["-net", "nic"], count: 9).flatMap(\.self)) == "-net nic: too many NICs")
        // On-board NICs take their netdevs when the machine is built, before any -device.
        #expect(failure(["-net", "socket,listen=:1234,id=s2", "-net", "nic,model=e1000,netdev=s2"])
            == "-net nic,model=e1000,netdev=s2: Property 'e1000.netdev' can't take value 's2', it's in use")
        #expect(failure(["-netdev", "hubport,id=h,hubid=0", "-net", "nic,netdev=h", "-device", "e1000,netdev=h"])
            == "-device e1000,netdev=h: Property 'e1000.netdev' can't take value 'h', it's in use")
    }

    @Test(arguments: [
        ("filter-dump,id=f0,file=d.pcap", "Parameter 'netdev' is missing"),
        ("filter-dump,id=f0,netdev=n0", "Parameter 'file' is missing"),
        ("filter-dump,netdev=n0,file=d.pcap", "Parameter 'id' is missing"),
        ("filter-dump,id=f0,netdev=zz,file=d.pcap", "Parameter 'netdev' expects a network backend id"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,maxlen=x", "Parameter 'maxlen' expects a uint64 value"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,maxlen=-1", "Parameter 'maxlen' expects a uint64 value"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,maxlen=4294967296", "Parameter 'maxlen' expects uint32_t"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,maxlen=0", "Property 'filter-dump.maxlen' doesn't take value '0'"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,queue=up", "Parameter 'queue' does not accept value 'up'"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,status=yes",
         "Invalid value for netfilter status, should be 'on' or 'off'"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,insert=x", "Parameter 'insert' does not accept value 'x'"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,position=x",
         "Parameter 'position' expects 'head', 'tail' or 'id=<id>'"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,position=id=zz", "filter 'zz' not found"),
        ("filter-dump,id=f0,netdev=n0,file=d.pcap,foo=1", "Invalid parameter 'foo'"),
        ("filter-mirror,id=m0,help", "object type 'filter-mirror' is not supported by TapRing"),
        ("foo,id=x", "Parameter 'qom-type' does not accept value 'foo'"),
        ("id=x", "Parameter 'qom-type' is missing"),
        ("pef-guest,id=x", "invalid object type: pef-guest"),
        ("filter-mirror,id=m0,netdev=n0,queue=tx,outdev=mirror0",
         "object type 'filter-mirror' is not supported by TapRing"),
        (#"{"qom-type":"filter-dump","id":"f0","netdev":"n0","file":"d.pcap","maxlen":"5"}"#,
         "Parameter 'maxlen' expects uint64"),
        (#"{"qom-type":"filter-dump","id":"f0","netdev":"n0","file":"d.pcap","queue":5}"#,
         "Invalid parameter type for 'queue', expected: string"),
    ])
    func objects(value: String, message: String) {
        #expect(failure(Self.port + ["-object", value]) == "-object \(value): \(message)")
    }

    /// Filters TapRing lacks are typed as QEMU types them when it reads the
    /// command line, then refused where QEMU would create them, after their
    /// netdev is found; checked against qemu-system-x86_64 7.2.
    @Test(arguments: [
        (["-netdev", "tap,id=n0,sndbuf=abc", "-object", "filter-buffer,id=f0"],
         "-object filter-buffer,id=f0: Parameter 'netdev' is missing"),
        (["-object", "filter-buffer,netdev=n0,id=f0"],
         "-object filter-buffer,netdev=n0,id=f0: Parameter 'interval' is missing"),
        (["-object", "filter-mirror,id=m,netdev=n0,outdev=c,vnet_hdr_support=x"],
         "-object filter-mirror,id=m,netdev=n0,outdev=c,vnet_hdr_support=x: "
            + "Parameter 'vnet_hdr_support' expects 'on' or 'off'"),
        (["-object", "filter-redirector,id=r,netdev=n0,zz=1"],
         "-object filter-redirector,id=r,netdev=n0,zz=1: Invalid parameter 'zz'"),
        (["-object", "colo-compare,id=c"], "-object colo-compare,id=c: Parameter 'primary_in' is missing"),
        (["-object", "filter-rewriter,id=r,netdev=zz"],
         "-object filter-rewriter,id=r,netdev=zz: Parameter 'netdev' expects a network backend id"),
        (["-netdev", "hubport,id=h,hubid=0", "-object", "filter-replay,id=r,netdev=h"],
         "-object filter-replay,id=r,netdev=h: object type 'filter-replay' is not supported by TapRing"),
    ] as [([String], String)])
    func filtersTapRingLacksAreTyped(arguments: [String], report: String) {
        #expect(failure(arguments) == report)
    }

    @Test func dumpsOfMultiQueueTapsAreRefused() {
        // netfilter_complete(): each queue is a client of the netdev's name.
        let dump = "filter-dump,id=f0,netdev=t,file=d.pcap"
        #expect(failure(["-netdev", "tap,id=t,queues=2", "-object", dump])
            == "-object \(dump): multiqueue is not supported")
        #expect(failure(["-netdev", "tap,id=t,queues=1", "-object", dump]) == nil)
    }

    @Test func objectIDsAndOrder() {
        let dump = "filter-dump,id=f0,netdev=n0,file=d.pcap"
        #expect(failure(Self.port + ["-object", dump, "-object", dump])
            == "-object \(dump): Duplicate ID 'f0' for object")
        let json = #"{"qom-type":"filter-dump","id":"f0","netdev":"n0","file":"e.pcap"}"#
        #expect(failure(Self.port + ["-object", dump, "-object", json])
            == "-object \(json): attempt to add duplicate property 'f0' to object (type 'container')")
        // Objects are typed when the command line is read, and created after every netdev.
        #expect(failure(["-object", "\(dump),maxlen=x", "-netdev", "tap,id=t,foo=1"])
            == "-object \(dump),maxlen=x: Parameter 'maxlen' expects a uint64 value")
        #expect(failure(["-object", "filter-dump,id=f0,netdev=zz,file=d.pcap", "-netdev", "tap,id=t,foo=1"])
            == "-netdev tap,id=t,foo=1: Invalid parameter 'foo'")
        // A filter watches a netdev, never a NIC.
        #expect(failure(["-object", "filter-dump,id=f0,netdev=e1000.0,file=d.pcap", "-device", "e1000"])
            == "-object filter-dump,id=f0,netdev=e1000.0,file=d.pcap: Parameter 'netdev' expects a network backend id")
        let other = ["-netdev", "hubport,id=n1,hubid=1", "-object", dump]
        #expect(failure(Self.port + other + ["-object", "filter-dump,id=f1,netdev=n1,file=e.pcap,position=id=f0"])
            == "-object filter-dump,id=f1,netdev=n1,file=e.pcap,position=id=f0: "
                + "filter 'f0' belongs to a different netdev")
    }

    @Test(arguments: [
        (#"{"driver":"e1000","netdev":5}"#, "Invalid parameter type for 'netdev', expected: string"),
        (#"{"driver":"e1000","mitigation":"on"}"#, "Invalid parameter type for 'mitigation', expected: boolean"),
        (#"{"driver":"e1000","addr":256}"#, "Parameter 'addr' expects a value between -1 and 255"),
        (#"{"driver":"e1000","addr":null}"#, "Invalid parameter type for 'addr', expected int or str"),
        (#"{"driver":"e1000","bootindex":"1"}"#, "Invalid parameter type for 'bootindex', expected: integer"),
        (#"{"driver":"e1000","rombar":-1}"#, "Parameter 'rombar' expects uint32_t"),
        (#"{"driver":5}"#, "Parameter 'driver' is missing"),
        (#"{"driver":"e1000","foo":1}"#, "Property 'e1000.foo' not found"),
        (#"{"driver":"e1000","netdev":"zz"}"#, "Property 'e1000.netdev' can't find value 'zz'"),
        (#"{"driver":"e1000","x":}"#, "JSON parse error, expecting value"),
        (#"{"driver":"e1000","romfile":null}"#, "Invalid parameter type for 'romfile', expected: string"),
        (#"{"driver":"virtio-net-pci"}"#, "Device 'virtio-net-pci' is not supported by TapRing"),
    ])
    func jsonDevices(value: String, message: String) {
        #expect(failure(["-device", value]) == "-device \(value): \(message)")
    }

    @Test func jsonDevicesComeLast() {
        // QemuOpts devices are created first, so the JSON one meets the other's id.
        let json = #"{"driver":"e1000","id":"x"}"#
        #expect(failure(["-device", json, "-device", "e1000,id=x"]) == "-device \(json): Duplicate device ID 'x'")
    }

    /// Of several keys no member reads, QEMU reports the first left in its
    /// hash table of the keys, which grows and shrinks as they come and go;
    /// each case checked against qemu-system-x86_64 7.2.
    @Test(arguments: [
        ("tap,id=n0,foo=1,bar=2", "Invalid parameter 'bar'"),
        ("tap,id=n0,ifname=od0,script=no,downscript=no,xa=1,xb=1,xc=1,xd=1", "Invalid parameter 'xc'"),
        ("tap,id=n0,a1=1,a2=1,a3=1,a4=1,a5=1,a6=1,a7=1,a8=1,a9=1,a10=1,a11=1,a12=1", "Invalid parameter 'a4'"),
        ("tap,a1=1,id=n0,ifname=x,script=no,downscript=no,sndbuf=1,vnet_hdr=on,queues=1,a2=1",
         "Invalid parameter 'a2'"),
        ("socket,id=s,zz=1,listen=:4000,yy=2", "Invalid parameter 'yy'"),
        (#"{"type":"tap","id":"n0","zz":1,"yy":2,"xx":3}"#, "Parameter 'yy' is unexpected"),
        ("stream,id=s,addr.type=inet,addr.host=h,addr.port=1,addr.zz=1,addr.yy=2",
         "Parameter 'addr.yy' is unexpected"),
        ("stream,id=s,zz=1,yy=2,addr.type=inet,addr.host=h,addr.port=1", "Parameter 'yy' is unexpected"),
    ])
    func leftoverKeysInQEMUsHashOrder(value: String, message: String) {
        #expect(failure(["-netdev", value]) == "-netdev \(value): \(message)")
    }

    /// `qemu_opts_create()` claims the id before `opts_do_parse()` warns
    /// about short-form booleans: a refused id leaves them unprinted.
    @Test func refusedIDsComeBeforeTheOptionsWarnings() {
        let refused = [TapRingTests.netdevs("hubport,id=n,hubid=0", "tap,id=n,vnet_hdr"), ["-nic", "tap,id=,vnet_hdr"]]
        for arguments in refused {
            do {
                _ = try NetworkPlan.parse(arguments)
                Issue.record("\(arguments) parsed")
            } catch {
                #expect(error.warnings.isEmpty && error.ownWarnings.isEmpty)
            }
        }
    }

    /// An error carries what QEMU did before it: the warnings it printed and
    /// the netdevs it created, modern ones first; hub ports of `-net` too.
    @Test func errorsTellWhatCameBefore() {
        func error(_ arguments: [String]) -> OptionError? {
            do {
                _ = try NetworkPlan.parse(arguments)
                return nil
            } catch {
                return error
            }
        }
        let device = error(TapRingTests.netdevs("socket,id=a,fd=3", "stream,id=b,addr.type=fd,addr.str=4")
            + TapRingTests.nets("socket,fd=5") + TapRingTests.devices("e1000,nomitigation,bogus=1"))
        #expect(device?.netdevsBefore.map(\.id) == ["b", "a", "hub0port0", "#net0"])
        #expect(device?.warnings == ["-device e1000,nomitigation,bogus=1: warning: short-form boolean option "
            + "'nomitigation' deprecated\nPlease use mitigation=off instead"])
        let netdev = error(TapRingTests.netdevs("socket,id=a,fd=3", "tap,id=b,bogus=1", "socket,id=c,fd=4"))
        #expect(netdev?.netdevsBefore.map(\.id) == ["a"])
        // Syntax is checked as the command line is read, before any netdev.
        #expect(error(TapRingTests.netdevs("socket,id=a,fd=3", "tap,id=b,,=1"))?.netdevsBefore == [])

        // A netdev's warnings come with it; the rejected option's own, read
        // before its problem, last.
        let own = error(TapRingTests.netdevs("tap,id=a,fd=3,sndbuf=0x1k", "tap,id=b,sndbuf=0x2k,vnet_hdr=x"))
        #expect(own?.warnings == [])
        #expect(own?.netdevsBefore.map(\.warnings) == [["-netdev tap,id=a,fd=3,sndbuf=0x1k: warning: "
            + "Using a multiplier suffix on hex numbers is deprecated: 0x1k"]])
        #expect(own?.ownWarnings == ["-netdev tap,id=b,sndbuf=0x2k,vnet_hdr=x: warning: "
            + "Using a multiplier suffix on hex numbers is deprecated: 0x2k"])
        #expect(error(TapRingTests.nets("tap,sndbuf=0x1k,queues=2"))?.ownWarnings.count == 1)
        #expect(error(TapRingTests.nics("tap,sndbuf=0x1k,fd=3,vhostfds=4"))?.ownWarnings.count == 1)
    }
}
