import Testing
@testable import TapRing
@testable import TapRingOptions

/// `-netdev socket`: QEMU 7.2's `net_init_socket()` checks and the
/// `host:port` parsing of `parse_host_port()`. Every message was checked
/// against qemu-system-x86_64 7.2.
@Suite struct SocketOptionsTests {
    private func mode(_ value: String) throws -> SocketOptions.Mode? {
        guard case .socket(let options) = try backend(netdev: value) else { return nil }
        return options.mode
    }

    @Test func everyMode() throws {
        #expect(try mode("socket,id=s,fd=3") == .inheritedDescriptor(3))
        #expect(try mode("socket,id=s,listen=:1234") == .listen(host: "", port: 1234))
        #expect(try mode("socket,id=s,listen=127.0.0.1:1234") == .listen(host: "127.0.0.1", port: 1234))
        #expect(try mode("socket,id=s,connect=127.0.0.1:1234") == .connect(host: "127.0.0.1", port: 1234))
        #expect(try mode("socket,id=s,connect=example.org:80") == .connect(host: "example.org", port: 80))
        #expect(try mode("socket,id=s,mcast=230.0.0.1:1234")
            == .multicast(group: "230.0.0.1", port: 1234, localAddress: nil))
        #expect(try mode("socket,id=s,mcast=239.192.168.1:1102,localaddr=1.2.3.4")
            == .multicast(group: "239.192.168.1", port: 1102, localAddress: "1.2.3.4"))
        #expect(try mode("socket,id=s,udp=10.0.0.2:5000,localaddr=:5001")
            == .udp(localHost: "", localPort: 5001, remoteHost: "10.0.0.2", remotePort: 5000))
    }

    @Test(arguments: [
        "socket,id=s",
        "socket,id=s,fd=3,listen=:1",
        "socket,id=s,listen=:1,connect=:2",
        "socket,id=s,mcast=230.0.0.1:1,udp=:2,localaddr=:3",
        // An empty value is given all the same.
        "socket,id=s,listen=,connect=",
        "socket,id=s,localaddr=1.2.3.4",
    ])
    func exactlyOneMode(value: String) {
        #expect(failure(netdev: value)
            == "-netdev \(value): exactly one of listen=, connect=, mcast= or udp= is required")
    }

    @Test(arguments: ["socket,id=s,listen=:1,localaddr=1.2.3.4", "socket,id=s,connect=:1,localaddr=:2",
                      "socket,id=s,fd=3,localaddr=1.2.3.4"])
    func localAddressNeedsMulticastOrUDP(value: String) {
        #expect(failure(netdev: value) == "-netdev \(value): localaddr= is only valid with mcast= or udp=")
    }

    @Test func udpNeedsALocalAddress() {
        #expect(failure(netdev: "socket,id=s,udp=1.2.3.4:5")
            == "-netdev socket,id=s,udp=1.2.3.4:5: localaddr= is mandatory with udp=")
    }

    @Test(arguments: [
        ("abc", "Invalid file descriptor number 'abc'"),
        ("", "Invalid file descriptor number ''"),
        ("-1", "Invalid file descriptor number '-1'"),
        ("3x", "Invalid file descriptor number '3x'"),
    ])
    func descriptors(fd: String, message: String) {
        #expect(failure(netdev: "socket,id=s,fd=\(fd)") == "-netdev socket,id=s,fd=\(fd): \(message)")
    }

    @Test(arguments: [
        ("", "host address '' doesn't contain ':' separating host from port"),
        ("1234", "host address '1234' doesn't contain ':' separating host from port"),
        (":", "port number '' is invalid"),
        (":abc", "port number 'abc' is invalid"),
        ("localhost:abc", "port number 'abc' is invalid"),
        (":99999999999999999999", "port number '99999999999999999999' is invalid"),
        (":-9223372036854775809", "port number '-9223372036854775809' is invalid"),
        ("1.2.3.4.5:1", "host address '1.2.3.4.5' is not a valid IPv4 address"),
        ("1.2.3.4x:1", "host address '1.2.3.4x' is not a valid IPv4 address"),
        ("256.0.0.1:1", "host address '256.0.0.1' is not a valid IPv4 address"),
        ("08.0.0.1:1", "host address '08.0.0.1' is not a valid IPv4 address"),
    ])
    func badHostPorts(address: String, message: String) {
        for member in ["listen", "connect"] {
            let value = "socket,id=s,\(member)=\(address)"
            #expect(failure(netdev: value) == "-netdev \(value): \(message)")
        }
    }

    @Test(arguments: [
        // strtol() in base 0, trailing junk ignored, cut to 16 bits.
        (":1234abc", "", 1234), (":0x50", "", 80), (":010", "", 8), (": 5", "", 5), (":+7", "", 7),
        (":70000", "", 4464), (":-1", "", 65535), (":0", "", 0),
        // inet_aton(): short forms, hexadecimal and octal parts, anything after a blank.
        ("127.1:1", "127.0.0.1", 1), ("0x7f.0.0.1:1", "127.0.0.1", 1), ("010.0.0.1:1", "8.0.0.1", 1),
        ("1.2.3.4 x:1", "1.2.3.4", 1), ("3232235777:1", "192.168.1.1", 1),
        // The first `:` splits; names are resolved only when the socket is made.
        ("example.org:1", "example.org", 1), ("a:1:2", "a", 1),
    ] as [(String, String, UInt16)])
    func hostPorts(address: String, host: String, port: UInt16) throws {
        #expect(try mode("socket,id=s,listen=\(address)") == .listen(host: host, port: port))
    }

    @Test(arguments: [
        ("1.2.3.4:5", "specified mcastaddr 1.2.3.4 (0x01020304) does not contain a multicast address"),
        (":5", "specified mcastaddr 0.0.0.0 (0x00000000) does not contain a multicast address"),
        ("240.0.0.0:5", "specified mcastaddr 240.0.0.0 (0xf0000000) does not contain a multicast address"),
        ("223.255.255.255:5", "specified mcastaddr 223.255.255.255 (0xdfffffff) does not contain a multicast address"),
        ("230.0.0.1", "host address '230.0.0.1' doesn't contain ':' separating host from port"),
        ("230.0.0.1:x", "port number 'x' is invalid"),
    ])
    func badMulticastGroups(mcast: String, message: String) {
        let value = "socket,id=s,mcast=\(mcast)"
        #expect(failure(netdev: value) == "-netdev \(value): \(message)")
    }

    @Test(arguments: [("224.0.0.0", "224.0.0.0"), ("239.255.255.255", "239.255.255.255"), ("0xe0.1:5", "224.0.0.1"),
                      ("mcast.example", "mcast.example")])
    func multicastGroups(group: String, stored: String) throws {
        let address = group.contains(":") ? group : "\(group):5"
        #expect(try mode("socket,id=s,mcast=\(address)") == .multicast(group: stored, port: 5, localAddress: nil))
    }

    @Test(arguments: ["x", "", "1.2.3.4:5", "localhost"])
    func multicastLocalAddressIsANumericAddress(localaddr: String) {
        let value = "socket,id=s,mcast=230.0.0.1:5,localaddr=\(localaddr)"
        #expect(failure(netdev: value) == "-netdev \(value): localaddr '\(localaddr)' is not a valid IPv4 address")
    }

    @Test func multicastLocalAddressIsCheckedBeforeTheGroupIsMulticast() throws {
        #expect(failure(netdev: "socket,id=s,mcast=1.2.3.4:5,localaddr=x")
            == "-netdev socket,id=s,mcast=1.2.3.4:5,localaddr=x: localaddr 'x' is not a valid IPv4 address")
        #expect(try mode("socket,id=s,mcast=230.0.0.1:5,localaddr=10.1")
            == .multicast(group: "230.0.0.1", port: 5, localAddress: "10.0.0.1"))
    }

    @Test func udpReadsTheLocalAddressFirst() {
        #expect(failure(netdev: "socket,id=s,udp=x,localaddr=y")
            == "-netdev socket,id=s,udp=x,localaddr=y: host address 'y' doesn't contain ':' separating host from port")
        #expect(failure(netdev: "socket,id=s,udp=x,localaddr=:5")
            == "-netdev socket,id=s,udp=x,localaddr=:5: host address 'x' doesn't contain ':' separating host from port")
    }

    @Test func unknownKeysComeFirst() {
        #expect(failure(netdev: "socket,id=s,listen=:1,mcast=x,foo=1")
            == "-netdev socket,id=s,listen=:1,mcast=x,foo=1: Invalid parameter 'foo'")
    }

    @Test func lastRepeatedKeyWins() throws {
        #expect(try mode("socket,id=s,listen=:1,listen=:2") == .listen(host: "", port: 2))
    }

    @Test func hubportMayPeerWithASocket() throws {
        let plan = try NetworkPlan.parse(netdevs("socket,id=s,connect=10.0.0.1:7", "hubport,id=h,hubid=0,netdev=s"))
        #expect(plan.netdevs.map(\.peer) == [1, 0])
        #expect(plan.warnings.isEmpty)
    }
}
