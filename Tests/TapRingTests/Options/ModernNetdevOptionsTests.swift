import Testing
@testable import TapRing
@testable import TapRingOptions

/// `-netdev stream`, `-netdev dgram` and JSON netdevs: the keyval and JSON
/// readers, the addresses they fill, and the order QEMU 7.2 creates modern
/// netdevs in; checked against qemu-system-x86_64 7.2.
@Suite struct ModernNetdevOptionsTests {
    @Test func keyvalTakesTheLastValueAndTheImpliedType() throws {
        #expect(try backend(netdev: "type=stream,id=a,addr.type=fd,addr.str=3,addr.str=4")
            == .stream(StreamOptions(address: .fd(4))))
        // A value escapes a comma by doubling it, as in QemuOpts.
        #expect(try backend(netdev: "stream,id=a,addr.type=unix,addr.path=/tmp/a,,b")
            == .stream(StreamOptions(address: .unix(path: "/tmp/a,b"))))
        // The last id wins, and QEMU checks no modern netdev's id for being an identifier.
        let plan = try NetworkPlan.parse(netdevs("stream,id=a,addr.type=fd,addr.str=3,id=1b"))
        #expect(plan.netdevs.map(\.id) == ["1b"])
    }

    /// QEMU 7.2 uses a stream's address in the background only: a vsock
    /// address or a descriptor's name parses, to fail, if it does, there.
    @Test func everyAddressOfAStreamParses() throws {
        #expect(try backend(netdev: "stream,id=a,addr.type=vsock,addr.cid=2,addr.port=x")
            == .stream(StreamOptions(address: .vsock(cid: "2", port: "x"))))
        #expect(try backend(netdev: "stream,id=a,server=on,addr.type=fd,addr.str=netfd")
            == .stream(StreamOptions(address: .fdName("netfd"), server: true)))
    }

    @Test func inetAddressesOfStreamsAreKeptAsTyped() throws {
        #expect(try backend(netdev: "stream,id=a,addr.type=inet,addr.host=::1,addr.port=ssh,addr.to=0x10")
            == .stream(StreamOptions(address: .inet(.init(host: "::1", port: "ssh", to: 16)))))
        // uint16 through the keyval visitor: strtoull() modulo 2⁶⁴, then the range.
        #expect(failure(netdev: "stream,id=a,addr.type=inet,addr.host=h,addr.port=1,addr.to=-1")
            == "-netdev stream,id=a,addr.type=inet,addr.host=h,addr.port=1,addr.to=-1: Parameter 'to' expects uint16_t")
    }

    @Test func dgramInetAddressesAreReadAsQEMUReadsThem() throws {
        // convert_host_port(): inet_aton() for a host that starts with a digit, strtol() for the port.
        #expect(try backend(netdev: "dgram,id=d,local.type=inet,local.host=127.1,local.port=0x50,"
            + "remote.type=inet,remote.host=peer.example,remote.port=1234abc,remote.ipv6=on")
            == .dgram(DgramOptions(
                local: .inet(.init(host: "127.0.0.1", port: "80", numeric: true)),
                remote: .inet(.init(host: "peer.example", port: "1234")))))
        // With a multicast group, only the local host counts, and its port is never read.
        #expect(try backend(netdev: "dgram,id=d,remote.type=inet,remote.host=239.192.168.1,remote.port=1102,"
            + "local.type=inet,local.host=1.2.3.4,local.port=x")
            == .dgram(DgramOptions(
                local: .inet(.init(host: "1.2.3.4", port: "x", numeric: true)),
                remote: .inet(.init(host: "239.192.168.1", port: "1102", numeric: true)))))
        // A name is taken for a unicast host, which needs a local address.
        #expect(failure(netdev: "dgram,id=d,remote.type=inet,remote.host=localhost,remote.port=1")
            == "-netdev dgram,id=d,remote.type=inet,remote.host=localhost,remote.port=1: "
                + "dgram requires local= parameter")
        // QEMU resolves it first, though, and reports a name without an IPv4
        // address (::1, which asks no network) before any other problem.
        #expect(failure(netdev: "dgram,id=d,remote.type=inet,remote.host=::1,remote.port=1")
            == "-netdev dgram,id=d,remote.type=inet,remote.host=::1,remote.port=1: can't resolve host address '::1'")
        #expect(failure(netdev: "dgram,id=d,remote.type=inet,remote.host=::1,remote.port=x")
            == "-netdev dgram,id=d,remote.type=inet,remote.host=::1,remote.port=x: can't resolve host address '::1'")
    }

    @Test func jsonStreamsAndDgrams() throws {
        #expect(try backend(netdev: #"{"type":"stream","id":"s","server":true,"addr":{"type":"unix","path":"/tmp/s"}}"#)
            == .stream(StreamOptions(address: .unix(path: "/tmp/s"), server: true)))
        #expect(try backend(netdev: #"{"type":"dgram","id":"d","local":{"type":"fd","str":"5"}}"#)
            == .dgram(DgramOptions(local: .fd(5))))
        #expect(failure(netdev: #"{"type":"stream","id":"s","server":"on","addr":{"type":"fd","str":"3"}}"#)
            == #"-netdev {"type":"stream","id":"s","server":"on","addr":{"type":"fd","str":"3"}}: "#
            + "Invalid parameter type for 'server', expected: boolean")
    }

    @Test func jsonNetdevsOfEveryType() throws {
        let plan = try NetworkPlan.parse(netdevs(
            #"{'type':'tap','id':'t','ifname':'tap0','script':'no','downscript':'no',"#
                + #"'sndbuf':1048576,'vnet_hdr':false}"#,
            #"{"type":"socket","id":"s","connect":"127.0.0.1:1234"}"#,
            #"{"type":"hubport","id":"h","hubid":-0,"netdev":"t"}"#))
        #expect(plan.netdevs.map(\.backend) == [
            .tap(TapOptions(ifname: "tap0", script: nil, downscript: nil, vnetHeader: false, sendBufferSize: 1 << 20)),
            .socket(SocketOptions(mode: .connect(host: "127.0.0.1", port: 1234))),
            .hubport(HubPortOptions(hubID: 0, netdev: "t")),
        ])
        // JSON escapes, UTF-16 surrogate pairs included.
        #expect(try backend(netdev: #"{"type":"tap","id":"t","ifname":"t\u00e9\ud83d\ude00\/\n"}"#)
            == .tap(TapOptions(ifname: "t\u{e9}\u{1f600}/\n")))
    }

    @Test func modernNetdevsAreCreatedFirst() {
        // net_init_clients() creates the modern netdevs before any other.
        #expect(failure(netdevs("tap,id=t,foo=1", "dgram,id=d"))
            == "-netdev dgram,id=d: dgram requires local= parameter")
        #expect(failure(netdevs("tap,id=t", #"{"type":"hubport","id":"h","hubid":0,"netdev":"t"}"#))
            == #"-netdev {"type":"hubport","id":"h","hubid":0,"netdev":"t"}: netdev 't' not found"#)
        // Their ids are claimed only then, and the later netdev fails.
        #expect(failure(netdevs("tap,id=a", "stream,id=a,addr.type=fd,addr.str=3"))
            == "-netdev tap,id=a: Duplicate ID 'a'")
        #expect(failure(netdevs("stream,id=a,addr.type=fd,addr.str=3", "dgram,id=a,local.type=fd,local.str=4"))
            == "-netdev dgram,id=a,local.type=fd,local.str=4: Duplicate ID 'a'")
    }

    @Test func modernNetdevsAreTypedWhenRead() {
        // A stream's types are checked with every option's syntax, before any device is.
        #expect(failure(devices("e1000,id=9") + netdevs("stream,id=a,addr.type=fd"))
            == "-device e1000,id=9: Parameter 'id' expects an identifier\n"
            + "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.")
        #expect(failure(netdevs("stream,id=a,addr.type=fd") + devices("e1000,id=9"))
            == "-netdev stream,id=a,addr.type=fd: Parameter 'addr.str' is missing")
    }
}
