/// The options of `-netdev socket` (`NetdevSocketOptions`), checked as far as
/// QEMU 7.2's `net_init_socket()` checks them before it creates a socket.
///
/// Hosts are IPv4 only, as in QEMU. A host is the empty string (any address,
/// `INADDR_ANY`), a dotted quad (QEMU reads a host that starts with a digit
/// with `inet_aton()`, so `127.1` is stored as `127.0.0.1`), or a name that
/// is resolved with `gethostbyname()` when the socket is created.
public struct SocketOptions: Equatable, Sendable {
    /// How the socket is made, with its addresses.
    public enum Mode: Equatable, Sendable {
        /// `fd=`: an already-open socket inherited from the parent. A stream
        /// socket carries length-prefixed frames, a datagram socket one frame
        /// per datagram; which one is only known from the descriptor.
        case inheritedDescriptor(Int32)
        /// `listen=[host]:port`: accept one stream connection at a time.
        case listen(host: String, port: UInt16)
        /// `connect=host:port`: connect a stream socket.
        case connect(host: String, port: UInt16)
        /// `mcast=maddr:port[,localaddr=addr]`: join an IPv4 multicast group,
        /// sending through the interface with `localAddress` if given (a dotted quad).
        /// A `group` given as a name has yet to be checked for being multicast.
        case multicast(group: String, port: UInt16, localAddress: String?)
        /// `udp=host:port,localaddr=host:port`: bind the local address and send
        /// datagrams to the remote one.
        case udp(localHost: String, localPort: UInt16, remoteHost: String, remotePort: UInt16)
    }

    public var mode: Mode

    /// Creates socket options; `NetworkPlan.parse(_:)` is the usual source of these.
    public init(mode: Mode) {
        self.mode = mode
    }
}
