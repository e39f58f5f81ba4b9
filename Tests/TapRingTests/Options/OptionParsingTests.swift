import Testing
@testable import TapRing
@testable import TapRingOptions

/// One `-netdev` option at a time: the command line's shape, ids, types,
/// values and the tap rules, each with its exact report.
@Suite struct OptionParsingTests {
    @Test func malformedCommandLines() {
        #expect(failure(["-netdev"]) == "-netdev: requires an argument")
        #expect(failure(["--netdev"]) == "--netdev: requires an argument")
        #expect(failure(["-foo"]) == "-foo: invalid option")
        #expect(failure(["linux.img"]) == "linux.img: invalid option")
        #expect(failure(["-netdev=tap,id=a"]) == "-netdev=tap,id=a: invalid option")
        // The words are all checked before any option is.
        #expect(failure(["-netdev", "tap,id=a,foo=1", "-hda"]) == "-hda: invalid option")
        #expect(failure(["-netdev", "tap,id=a,foo=1", "-nic"]) == "-nic: requires an argument")
        #expect(failure(["--object"]) == "--object: requires an argument")
        #expect(failure(["-netdev", "tap,id=a,foo=1", "-device"]) == "-device: requires an argument")
        #expect(failure(["--device"]) == "--device: requires an argument")
    }

    @Test func bothSpellingsOfTheOption() throws {
        let plan = try NetworkPlan.parse(["--netdev", "tap,id=a", "-netdev", "tap,id=b"])
        #expect(plan.netdevs.map(\.location) == ["--netdev tap,id=a", "-netdev tap,id=b"])
    }

    @Test(arguments: [
        ("tap", "-netdev tap: Parameter 'id' is missing"),
        ("", "-netdev : Parameter 'id' is missing"),
        (",", "-netdev ,: Parameter 'id' is missing"),
        ("tap,help", "-netdev tap,help: Parameter 'id' is missing"),
        ("tap,ID=a", "-netdev tap,ID=a: Parameter 'id' is missing"),
        ("id=a", "-netdev id=a: Parameter 'type' is missing"),
        ("bogus,id=a", "-netdev bogus,id=a: Parameter 'type' does not accept value 'bogus'"),
        ("HUBPORT,id=a", "-netdev HUBPORT,id=a: Parameter 'type' does not accept value 'HUBPORT'"),
        ("tap,,id=a", "-netdev tap,,id=a: Parameter 'type' does not accept value 'tap,id=a'"),
        ("nic,id=a", "-netdev nic,id=a: network backend 'nic' is not compiled into this binary"),
        ("none,id=a", "-netdev none,id=a: network backend 'none' is not compiled into this binary"),
        ("netmap,id=a,ifname=x",
         "-netdev netmap,id=a,ifname=x: network backend 'netmap' is not compiled into this binary"),
        // QEMU reads the members of backends it cannot create before refusing them.
        ("netmap,id=a", "-netdev netmap,id=a: Parameter 'ifname' is missing"),
        ("nic,id=a,model=e1000,macaddr=x,addr=1,netdev=z,vectors=5",
         "-netdev nic,id=a,model=e1000,macaddr=x,addr=1,netdev=z,vectors=5: "
             + "network backend 'nic' is not compiled into this binary"),
        ("nic,id=a,vectors=4294967296", "-netdev nic,id=a,vectors=4294967296: Parameter 'vectors' expects uint32_t"),
        ("nic,id=a,foo=1", "-netdev nic,id=a,foo=1: Invalid parameter 'foo'"),
        ("none,id=a,foo=1", "-netdev none,id=a,foo=1: Invalid parameter 'foo'"),
    ])
    func idAndType(value: String, report: String) {
        #expect(failure(netdev: value) == report)
    }

    @Test(arguments: ["user", "l2tpv3,src=a,dst=b,txsession=1", "vde", "vhost-user", "vhost-vdpa"])
    func unsupportedBackends(type: String) {
        let name = type.prefix { $0 != "," }
        #expect(failure(netdev: "\(type),id=a")
            == "-netdev \(type),id=a: network backend '\(name)' is not supported by TapRing")
    }

    @Test(arguments: ["1a", "", "a@b", "#net060"])
    func malformedIDs(id: String) {
        #expect(failure(netdev: "hubport,id=\(id),hubid=0") == """
            -netdev hubport,id=\(id),hubid=0: Parameter 'id' expects an identifier
            Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.
            """)
    }

    @Test(arguments: [
        ("hubport,id=a", "Parameter 'hubid' is missing"),
        ("hubport,id=a,foo=1", "Parameter 'hubid' is missing"),
        ("hubport,id=a,hubid=abc", "Parameter 'hubid' expects an int64 value"),
        ("hubport,id=a,hubid=", "Parameter 'hubid' expects an int64 value"),
        ("hubport,id=a,hubid=9223372036854775808", "Parameter 'hubid' expects an int64 value"),
        ("hubport,id=a,hubid=4294967296", "Parameter 'hubid' expects int32_t"),
        ("hubport,id=a,hubid=-2147483649", "Parameter 'hubid' expects int32_t"),
        ("hubport,id=a,hubid=0,foo=1", "Invalid parameter 'foo'"),
        ("hubport,id=a,hubid=0,=5", "Invalid parameter ''"),
        ("hubport,id=a,hubid=0,help", "Invalid parameter 'help'"),
        ("hubport,id=a,hubid=0,restrict", "Invalid parameter 'restrict'"),
        ("tap,id=a,foo=1,bar=2", "Invalid parameter 'bar'"),
        ("tap,id=a,zzz,aaa,mmm", "Invalid parameter 'mmm'"),
        ("tap,id=a,vnet_hdr=maybe", "Parameter 'vnet_hdr' expects 'on' or 'off'"),
        ("tap,id=a,vhost=1", "Parameter 'vhost' expects 'on' or 'off'"),
        ("tap,id=a,vhostforce=ON", "Parameter 'vhostforce' expects 'on' or 'off'"),
        ("tap,id=a,sndbuf=abc", "Parameter 'sndbuf' expects a size value"),
        ("tap,id=a,sndbuf=1kb", "Parameter 'sndbuf' expects a size value"),
        ("tap,id=a,sndbuf=-1", "Parameter 'sndbuf' expects a size value"),
        ("tap,id=a,sndbuf=16E", "Parameter 'sndbuf' expects a size value"),
        ("tap,id=a,queues=abc", "Parameter 'queues' expects a uint64 value"),
        ("tap,id=a,queues=-1", "Parameter 'queues' expects a uint64 value"),
        ("tap,id=a,queues=", "Parameter 'queues' expects a uint64 value"),
        ("tap,id=a,queues=4294967296", "Parameter 'queues' expects uint32_t"),
        ("tap,id=a,poll-us=x", "Parameter 'poll-us' expects a uint64 value"),
        // Members are read in schema order, whatever the order typed.
        ("tap,id=a,queues=abc,sndbuf=abc", "Parameter 'sndbuf' expects a size value"),
        // Unknown keys come before what the tap makes of its members.
        ("tap,id=a,helper=/x,foo=1", "Invalid parameter 'foo'"),
        ("tap,id=a,queues=0,foo=1", "Invalid parameter 'foo'"),
    ])
    func members(value: String, message: String) {
        #expect(failure(netdev: value) == "-netdev \(value): \(message)")
    }

    @Test(arguments: [
        ("tap,id=a,queues=0", "Parameter 'queues' expects a value of at least 1"),
        ("tap,id=a,fds=3:4", "Parameter 'fds' is not supported by TapRing"),
        ("tap,id=a,vhostfd=5", "Parameter 'vhostfd' is not supported by TapRing"),
        ("tap,id=a,vhostfd=5,vhost=on", "Parameter 'vhostfd' is not supported by TapRing"),
        ("tap,id=a,vhostfds=5:6", "vhostfds= is invalid if fds= wasn't specified"),
        ("tap,id=a,vhostfds=5:6,vhost=off", "vhostfds= is invalid if fds= wasn't specified"),
        ("tap,id=a,fd=abc", "Invalid file descriptor number 'abc'"),
        ("tap,id=a,fd=", "Invalid file descriptor number ''"),
        ("tap,id=a,fd=-1", "Invalid file descriptor number '-1'"),
        ("tap,id=a,fd=2147483648", "Invalid file descriptor number '2147483648'"),
        ("tap,id=a,fd=abc,vhost=on", "Invalid file descriptor number 'abc'"),
    ])
    func tapRules(value: String, message: String) {
        #expect(failure(netdev: value) == "-netdev \(value): \(message)")
    }

    @Test(arguments: [
        "ifname=tap0", "script=no", "downscript=no", "vnet_hdr=off", "helper=/x",
        "queues=1", "fds=3:4", "vhostfds=5:6",
    ])
    func conflictsWithFD(member: String) {
        let value = "tap,id=a,fd=3,\(member)"
        #expect(failure(netdev: value) == "-netdev \(value): "
            + "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=")
    }

    @Test func shortFormBooleanFlagIsAnOrdinaryValue() throws {
        #expect(try backend(netdev: "tap,id=a,vhost") == .tap(TapOptions(vhostNet: .kernel)))
    }
}
