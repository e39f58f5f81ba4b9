import Glibc
import SystemPackage

/// A socket netdev of the command line, opened: `-netdev socket`, `stream`
/// or `dgram`, set up the way QEMU 7.2's `net/socket.c`, `net/stream.c` and
/// `net/dgram.c` set theirs up.
///
/// Sockets are left in blocking mode: io_uring waits on a blocking socket by
/// polling instead of failing with `EAGAIN`.
final class SocketNetdev {
    let descriptor: FileDescriptor
    /// What the reactors see of it: a stream (connected, or listening for
    /// one connection at a time) or a datagram socket.
    let kind: PortKind

    /// Why a stream client is not connected: its connection failed, or its
    /// descriptor could not be used. QEMU 7.2 connects a `-netdev
    /// stream,server=off` (or takes its descriptor) in the background, and a
    /// `-netdev socket,connect=` without waiting; when that fails it leaves
    /// the netdev unconnected for good and says nothing
    /// (`net_stream_client_connected`, `net_socket_send`). The engine goes
    /// on the same way, and keeps the error to warn with.
    private(set) var connectionFailure: EngineError?

    private init(stream descriptor: Int32, listening: Bool) {
        self.descriptor = FileDescriptor(rawValue: descriptor)
        kind = .stream(PortKind.Stream(descriptor: descriptor, listening: listening))
        Self.deepenSendBuffer(of: descriptor)
    }

    private init(unconnectedStream descriptor: Int32, failure: EngineError) {
        self.descriptor = FileDescriptor(rawValue: descriptor)
        kind = .stream(PortKind.Stream(descriptor: descriptor, listening: false, unconnected: true))
        connectionFailure = failure
    }

    private init(connecting descriptor: Int32, to address: SocketEndpoint) {
        self.descriptor = FileDescriptor(rawValue: descriptor)
        kind = .stream(PortKind.Stream(descriptor: descriptor, listening: false, connectingTo: address))
        Self.deepenSendBuffer(of: descriptor)
    }

    private init(datagram descriptor: Int32, destination: SocketEndpoint?) {
        self.descriptor = FileDescriptor(rawValue: descriptor)
        kind = .datagram(PortKind.Datagram(descriptor: descriptor, destination: destination))
    }

    /// Bytes a stream socket may hold unsent, which the kernel doubles: on a
    /// Unix socket, 14,000 frames of 1514 bytes, more than the 10,000 QEMU
    /// queues for a peer that cannot take more (`nq_maxlen` of
    /// `qemu_net_queue_append`). A guest's burst waits in the kernel while
    /// the reader lags, rather than being dropped; the kernel uses the memory
    /// only while it does.
    static let sendBufferBytes: Int32 = 16 << 20

    /// Raises the socket's send buffer to `sendBufferBytes`, beyond
    /// `wmem_max` where the process may (`CAP_NET_ADMIN`); a listener's
    /// TCP connections inherit it.
    ///
    /// The corresponding C function is `setsockopt`, with `SO_SNDBUFFORCE`
    /// or else `SO_SNDBUF`.
    private static func deepenSendBuffer(of descriptor: Int32) {
        var bytes = sendBufferBytes
        let size = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(descriptor, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, size) != 0 {
            setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &bytes, size)
        }
    }

    deinit {
        // QEMU's `socket_listen_cleanup`: a listener's socket file goes with it.
        if case .stream(let stream) = kind, stream.listening {
            try? SocketEndpoint.local(of: descriptor.rawValue)?.unlinkFile()
        }
        try? descriptor.close()
    }

    /// Opens the socket `netdev` describes; errors name the option.
    static func open(_ netdev: NetworkPlan.Netdev) throws(EngineError) -> SocketNetdev {
        do throws(EngineError) {
            let socket: SocketNetdev
            switch netdev.backend {
            case .socket(let options): socket = try open(options.mode, id: netdev.id)
            case .stream(let options): socket = try open(options, id: netdev.id)
            case .dgram(let options): socket = try open(options, id: netdev.id)
            case .tap, .hubport: preconditionFailure("\(netdev.id) is not a socket netdev")
            }
            socket.connectionFailure?.location = netdev.location
            return socket
        } catch {
            var located = error
            located.location = netdev.location
            throw located
        }
    }

    // MARK: -netdev socket

    /// `net_socket_fd_init`, `net_socket_listen_init`, `net_socket_connect_init`,
    /// `net_socket_mcast_init` and `net_socket_udp_init`: IPv4 only.
    private static func open(_ mode: SocketOptions.Mode, id: String) throws(EngineError) -> SocketNetdev {
        switch mode {
        case .inheritedDescriptor(let number):
            return try adopt(number, id: id, server: false, destination: nil)
        case .listen(let host, let port):
            let address = try Sockets.ipv4(host, port: port, passive: true, datagram: false)
            return SocketNetdev(stream: try Sockets.listening(at: address), listening: true)
        case .connect(let host, let port):
            let address = try Sockets.ipv4(host, port: port, passive: false, datagram: false)
            do throws(EngineError) {
                return try client(of: address)
            } catch where error.errno == .connectionRefused || error.errno == .timedOut {
                // QEMU's connect() is non-blocking: a refusal or a time-out
                // comes after the netdev is made, and leaves it unconnected.
                let standIn = try Sockets.socket(family: AF_INET, datagram: false)
                return SocketNetdev(unconnectedStream: standIn, failure: error)
            }
        case .multicast(let group, let port, let localAddress):
            let address = try Sockets.ipv4(group, port: port, passive: false, datagram: true)
            return try multicast(address, interface: localAddress)
        case .udp(let localHost, let localPort, let remoteHost, let remotePort):
            let local = try Sockets.ipv4(localHost, port: localPort, passive: true, datagram: true)
            let remote = try Sockets.ipv4(remoteHost, port: remotePort, passive: false, datagram: true)
            return SocketNetdev(datagram: try Sockets.bound(to: local), destination: remote)
        }
    }

    // MARK: -netdev stream

    /// `net_init_stream`: listen on, or connect to, `addr`, or take the
    /// descriptor it names (a server's as its listening socket). QEMU 7.2
    /// does all of it in the background (`qio_channel_socket_listen_async`,
    /// `qio_channel_socket_connect_async`): whatever fails there, from
    /// resolving the address to connecting, leaves the netdev unconnected
    /// for good (`connectionFailure`) while QEMU runs.
    private static func open(_ options: StreamOptions, id: String) throws(EngineError) -> SocketNetdev {
        do throws(EngineError) {
            switch options.address {
            case .fd(let number):
                return try adopt(number, id: id, server: options.server, destination: nil)
            case .fdName(let name):
                throw EngineError("TapRing has no monitor to look up the descriptor named '\(name)'")
            case .inet(let inet):
                let addresses = try SocketEndpoint.resolve(
                    host: inet.host, port: inet.port, family: try Sockets.family(of: inet), passive: options.server,
                    datagram: false, numeric: inet.numeric)
                let mptcp = inet.mptcp == true
                if options.server {
                    // QEMU's `try_bind`: an IPv6 socket takes IPv4 too unless one family is chosen.
                    let dualStack = inet.ipv4 == inet.ipv6 && inet.ipv4 != false
                    let listener = try Sockets.listening(
                        atAnyOf: addresses, through: inet.to, mptcp: mptcp, dualStack: dualStack)
                    return SocketNetdev(stream: listener, listening: true)
                }
                return try client(ofAnyOf: addresses, keepAlive: inet.keepAlive == true, mptcp: mptcp)
            case .unix, .vsock:
                let address = try Sockets.endpoint(options.address, passive: options.server, datagram: false)
                if options.server {
                    return SocketNetdev(stream: try Sockets.listening(at: address), listening: true)
                }
                return try client(of: address)
            }
        } catch {
            // A socket of the engine's own stands in for the one that failed.
            return SocketNetdev(unconnectedStream: try Sockets.socket(family: AF_UNIX, datagram: false), failure: error)
        }
    }

    // MARK: -netdev dgram

    /// `net_init_dgram`: a socket bound to `local` that sends to `remote`,
    /// joining `remote`'s group when it is an IPv4 multicast address.
    private static func open(_ options: DgramOptions, id: String) throws(EngineError) -> SocketNetdev {
        let remote = try options.remote.map { (address) throws(EngineError) in
            try Sockets.endpoint(address, passive: false, datagram: true)
        }
        if let remote, remote.isIPv4Multicast {
            var interface: String?
            if case .inet(let local)? = options.local { interface = local.host }
            return try multicast(remote, interface: interface)
        }
        switch options.local {
        case .fd(let number)?:
            // `net_init_dgram` asks for the socket's address, never its type:
            // a socket of any type is read and written one `recv` and one
            // `send` per frame, a stream's frames being what each read finds.
            try takeOver(number, id: id)
            guard SocketEndpoint.local(of: number) != nil else {
                throw EngineError("Unable to query local socket address", Errno.current)
            }
            return SocketNetdev(datagram: number, destination: remote)
        case let local?:
            let address = try Sockets.endpoint(local, passive: true, datagram: true)
            return SocketNetdev(datagram: try Sockets.bound(to: address), destination: remote)
        case nil:
            guard let remote else { throw EngineError("remote or local address should be given") }
            let descriptor = try Sockets.socket(family: remote.family, datagram: true)
            return SocketNetdev(datagram: descriptor, destination: remote)
        }
    }

    // MARK: Building blocks

    /// Takes over descriptor `number` of netdev `id`: a stream socket, made
    /// to listen when `server` as QEMU's `socket_listen` makes an inherited
    /// one, or a datagram socket sending to `destination`
    /// (`net_socket_fd_init`). Its checks come in QEMU's order: the
    /// descriptor, then its type.
    private static func adopt(
        _ number: Int32, id: String, server: Bool, destination: SocketEndpoint?
    ) throws(EngineError) -> SocketNetdev {
        try takeOver(number, id: id)
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(number, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else {
            // QEMU's `net_socket_fd_init` words it so.
            throw EngineError("can't get socket option SO_TYPE")
        }
        if server && Glibc.listen(number, 1) != 0 {
            throw EngineError("Failed to listen on fd socket", Errno.current)
        }
        switch type {
        case Int32(SOCK_STREAM.rawValue): return SocketNetdev(stream: number, listening: server)
        case Int32(SOCK_DGRAM.rawValue): return SocketNetdev(datagram: number, destination: destination)
        default: throw EngineError("socket type=\(type) for fd=\(number) must be either SOCK_DGRAM or SOCK_STREAM")
        }
    }

    /// Makes descriptor `number` of netdev `id` the engine's: blocking, as
    /// its io_uring operations want it, and closed on exec.
    private static func takeOver(_ number: Int32, id: String) throws(EngineError) {
        let flags = fcntl(number, F_GETFL)
        guard flags >= 0, fcntl(number, F_SETFL, flags & ~O_NONBLOCK) == 0,
            fcntl(number, F_SETFD, FD_CLOEXEC) == 0
        else {
            throw EngineError("\(id): Can't use file descriptor \(number)", Errno.current)
        }
    }

    /// `inet_connect_saddr`: a client of the first of `addresses` that
    /// connects, or is still connecting; with `keepAlive`, its socket sends
    /// TCP keep-alives.
    private static func client(ofAnyOf addresses: [SocketEndpoint], keepAlive: Bool, mptcp: Bool)
        throws(EngineError) -> SocketNetdev
    {
        var failure: EngineError?
        for address in addresses {
            do throws(EngineError) {
                return try client(of: address, keepAlive: keepAlive, mptcp: mptcp)
            } catch {
                failure = error
            }
        }
        throw failure!  // resolving gives at least one address
    }

    /// How long the engine waits for a client's connection as it starts, in
    /// milliseconds: a server on this host or a near one has answered by
    /// then. QEMU 7.2 never waits; it finishes connections in the background.
    static let connectionPatience: Int32 = 250

    /// A client of `address`: connected; or, when its connection is still
    /// being made after `connectionPatience` (a server whose backlog is
    /// full, a host that does not answer), a socket its reactor connects.
    private static func client(of address: SocketEndpoint, keepAlive: Bool = false, mptcp: Bool = false)
        throws(EngineError) -> SocketNetdev
    {
        let newSocket = { () throws(EngineError) -> Int32 in
            let descriptor = try Sockets.socket(family: address.family, datagram: false, mptcp: mptcp)
            var on: Int32 = 1
            let size = socklen_t(MemoryLayout<Int32>.size)
            if keepAlive && setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &on, size) != 0 {
                let error = Errno.current
                close(descriptor)
                throw EngineError("Unable to set KEEPALIVE", error)
            }
            return descriptor
        }
        let descriptor = try newSocket()
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var error = address.withSockaddr { Glibc.connect(descriptor, $0, $1) } == 0 ? 0 : errno
        var pending = error == EAGAIN  // a Unix server's backlog is full
        if error == EINPROGRESS || error == EINTR {
            var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            pending = poll(&request, 1, connectionPatience) != 1
            var length = socklen_t(MemoryLayout<Int32>.size)
            if !pending { getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) }
        }
        guard !pending else {
            close(descriptor)
            return SocketNetdev(connecting: try newSocket(), to: address)
        }
        guard error == 0 else {
            close(descriptor)
            throw EngineError("can't connect socket", Errno(rawValue: error))
        }
        _ = fcntl(descriptor, F_SETFL, flags)
        return SocketNetdev(stream: descriptor, listening: false)
    }

    /// `net_socket_mcast_create`: bound to the group's port, a member of the
    /// group, with multicast loopback on, so that emulators on one host hear
    /// each other, and sending through `interface` when given.
    private static func multicast(_ group: SocketEndpoint, interface: String?) throws(EngineError) -> SocketNetdev {
        guard group.isIPv4Multicast else {
            throw EngineError("specified mcastaddr \(group.host) does not contain a multicast address")
        }
        let descriptor = try Sockets.bound(to: group)
        let fail = { (what: String) throws(EngineError) -> Never in
            let error = Errno.current
            close(descriptor)
            throw EngineError(what, error)
        }
        var request = ip_mreq()
        request.imr_multiaddr = group.ipv4Address
        request.imr_interface.s_addr = INADDR_ANY
        if let interface {
            guard inet_aton(interface, &request.imr_interface) != 0 else {
                close(descriptor)
                throw EngineError("localaddr '\(interface)' is not a valid IPv4 address")
            }
        }
        let requestSize = socklen_t(MemoryLayout<ip_mreq>.size)
        if setsockopt(descriptor, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &request, requestSize) < 0 {
            try fail("can't add socket to multicast group \(group.host)")
        }
        var loop: UInt8 = 1
        if setsockopt(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, &loop, 1) < 0 {
            try fail("can't force multicast message to loopback")
        }
        if interface != nil {
            var source = request.imr_interface
            let sourceSize = socklen_t(MemoryLayout<in_addr>.size)
            if setsockopt(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_IF, &source, sourceSize) < 0 {
                try fail("can't set the default network send interface")
            }
        }
        return SocketNetdev(datagram: descriptor, destination: group)
    }
}
