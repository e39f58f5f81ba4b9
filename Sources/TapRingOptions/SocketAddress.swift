/// QEMU's `SocketAddress` (`qapi/sockets.json`), as `-netdev stream` and
/// `-netdev dgram` take it in their `addr.*`, `local.*` and `remote.*` keys.
public enum SocketAddress: Equatable, Sendable {
    /// `type=inet`: a host and a port, both as typed; the port may be a
    /// service name. `ipv4`/`ipv6` restrict the address family.
    case inet(InetAddress)
    /// `type=unix`: a path, in the abstract namespace when `abstract` is set;
    /// `tight` (default true) sizes the abstract address to the name.
    case unix(path: String, abstract: Bool = false, tight: Bool = true)
    /// `type=fd`: an inherited descriptor, by number (`str`).
    case fd(Int32)
    /// `type=fd` with a name for `str`: a descriptor a QEMU monitor would
    /// hold (`getfd`). TapRing has no monitor; only `-netdev stream` takes
    /// one, and stays unconnected, as QEMU 7.2's does when its lookup fails.
    case fdName(String)
    /// `type=vsock`: a context ID and a port, both as typed. Only `-netdev
    /// stream` takes one.
    case vsock(cid: String, port: String)

    /// QEMU's `InetSocketAddress`.
    public struct InetAddress: Equatable, Sendable {
        public var host: String
        public var port: String
        /// `numeric`: the host and port are numeric, no resolution.
        public var numeric: Bool
        /// `ipv4=`/`ipv6=`: nil leaves the family open.
        public var ipv4: Bool?
        public var ipv6: Bool?
        /// `to=`: a listening socket takes the first free port from `port` up to this one.
        public var to: UInt16?
        /// `keep-alive=`: `SO_KEEPALIVE` on a connecting socket.
        public var keepAlive: Bool?
        /// `mptcp=`: Multipath TCP (`IPPROTO_MPTCP`).
        public var mptcp: Bool?

        public init(
            host: String, port: String, numeric: Bool = false, ipv4: Bool? = nil, ipv6: Bool? = nil,
            to: UInt16? = nil, keepAlive: Bool? = nil, mptcp: Bool? = nil
        ) {
            self.host = host
            self.port = port
            self.numeric = numeric
            self.ipv4 = ipv4
            self.ipv6 = ipv6
            self.to = to
            self.keepAlive = keepAlive
            self.mptcp = mptcp
        }
    }
}

/// The options of `-netdev stream` (`NetdevStreamOptions`, QEMU 7.2): a
/// stream socket carrying QEMU's framing, a 4-byte big-endian length per frame.
public struct StreamOptions: Equatable, Sendable {
    public var address: SocketAddress
    /// `server=on`: listen on `address` and take one connection at a time;
    /// otherwise connect to it.
    public var server: Bool

    public init(address: SocketAddress, server: Bool = false) {
        self.address = address
        self.server = server
    }
}

/// The options of `-netdev dgram` (`NetdevDgramOptions`, QEMU 7.2): one frame
/// per datagram, sent to `remote` (a multicast group when its host is one)
/// from a socket bound to `local`.
///
/// QEMU reads inet addresses here with `convert_host_port()`, IPv4 only, so
/// `NetworkPlan.parse(_:)` stores them that way: the host a dotted quad
/// (`127.1` becomes `127.0.0.1`), "" for any address, or a name to resolve
/// (`numeric` false); the port in decimal (`0x50` becomes `80`). `ipv4`,
/// `ipv6`, `to`, `keep-alive` and `mptcp` are ignored by QEMU and left nil.
/// With a multicast `remote`, only the host of an inet `local` counts: the
/// interface to send from (QEMU's `localaddr`).
public struct DgramOptions: Equatable, Sendable {
    public var local: SocketAddress?
    public var remote: SocketAddress?

    public init(local: SocketAddress? = nil, remote: SocketAddress? = nil) {
        self.local = local
        self.remote = remote
    }
}
