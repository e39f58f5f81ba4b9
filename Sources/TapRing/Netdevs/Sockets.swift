import Glibc
import SystemPackage

/// Sockets made as QEMU 7.2 makes them (`util/qemu-sockets.c`,
/// `net/socket.c`, `net/dgram.c`): addresses resolved, sockets bound and
/// listening, with QEMU's options and messages. `SocketNetdev` builds its
/// netdevs from them.
enum Sockets {
    /// The address `address` names: a `-netdev dgram` one, or a Unix or
    /// vsock address of `-netdev stream` (whose inet ones are resolved to
    /// all their addresses).
    static func endpoint(_ address: SocketAddress, passive: Bool, datagram: Bool) throws(EngineError)
        -> SocketEndpoint
    {
        switch address {
        case .inet(let inet):
            // Only `-netdev dgram` comes here with one, read as `convert_host_port` reads it.
            return try ipv4(inet.host, port: inet.port, passive: passive, datagram: datagram)
        case .unix(let path, let abstract, let tight):
            return try .unix(path: path, abstract: abstract, tight: tight)
        case .vsock(let cid, let port):
            return try .vsock(cid: cid, port: port)
        case .fd, .fdName:
            preconditionFailure("a descriptor is taken over, not resolved")
        }
    }

    /// An IPv4 address as QEMU's `convert_host_port` makes one for `-netdev
    /// socket` and `dgram`: the options left the host a dotted quad, empty
    /// (any address) or a name, which must resolve to an IPv4 address.
    static func ipv4(_ host: String, port: some CustomStringConvertible, passive: Bool, datagram: Bool)
        throws(EngineError) -> SocketEndpoint
    {
        do throws(EngineError) {
            return try .inet(host: host, port: port.description, family: AF_INET, passive: passive, datagram: datagram)
        } catch {
            throw EngineError("can't resolve host address '\(host)'")
        }
    }

    /// The address family `ipv4=` and `ipv6=` ask for, as QEMU's
    /// `inet_ai_family_from_address` reads them: both on with no host is
    /// IPv6, which takes IPv4 too.
    static func family(of inet: SocketAddress.InetAddress) throws(EngineError) -> Int32 {
        switch (inet.ipv4, inet.ipv6) {
        case (false, false): throw EngineError("Cannot disable IPv4 and IPv6 at same time")
        case (true, true): inet.host.isEmpty ? AF_INET6 : AF_UNSPEC
        case (false, _), (_, true): AF_INET6
        case (true, _), (_, false): AF_INET
        default: AF_UNSPEC
        }
    }

    /// A socket of `family`: a datagram socket, a stream socket, or with
    /// `mptcp` a Multipath TCP one.
    static func socket(family: Int32, datagram: Bool, mptcp: Bool = false) throws(EngineError) -> Int32 {
        let type = Int32((datagram ? SOCK_DGRAM : SOCK_STREAM).rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = Glibc.socket(family, type, mptcp ? Int32(IPPROTO_MPTCP) : 0)
        guard descriptor >= 0 else {
            throw EngineError("can't create \(datagram ? "datagram" : "stream") socket", Errno.current)
        }
        return descriptor
    }

    /// A socket bound to `address`, with `SO_REUSEADDR` on IP sockets as
    /// QEMU's `socket_set_fast_reuse` sets it; a file where a Unix address
    /// points is removed first, as QEMU's `unix_listen_saddr` removes it.
    /// An IPv6 socket takes IPv4 too when `dualStack`, unless another
    /// socket has the port for IPv4 (QEMU's `try_bind`).
    static func bound(to address: SocketEndpoint, datagram: Bool = true, mptcp: Bool = false,
                      dualStack: Bool = true) throws(EngineError) -> Int32 {
        let descriptor = try socket(family: address.family, datagram: datagram, mptcp: mptcp)
        if address.family == AF_UNIX {
            do throws(EngineError) {
                try address.unlinkFile()
            } catch {
                close(descriptor)
                throw error
            }
        } else if address.family != AF_VSOCK {
            var on: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        let bind = { (v6Only: Int32) -> Int32 in
            var option = v6Only
            if address.family == AF_INET6 {
                setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &option, socklen_t(MemoryLayout<Int32>.size))
            }
            return address.withSockaddr { Glibc.bind(descriptor, $0, $1) }
        }
        var result = bind(dualStack ? 0 : 1)
        if result != 0 && address.family == AF_INET6 && errno == EADDRINUSE && dualStack {
            result = bind(1)  // another socket has the port for IPv4
        }
        guard result == 0 else {
            let error = Errno.current
            close(descriptor)
            throw EngineError("can't bind \(address.boundName) to socket", error)
        }
        return descriptor
    }

    static func listening(at address: SocketEndpoint, mptcp: Bool = false, dualStack: Bool = true)
        throws(EngineError) -> Int32
    {
        let descriptor = try bound(to: address, datagram: false, mptcp: mptcp, dualStack: dualStack)
        guard Glibc.listen(descriptor, 1) == 0 else {
            let error = Errno.current
            close(descriptor)
            throw EngineError("can't listen on socket", error)
        }
        return descriptor
    }

    /// `inet_listen_saddr`: a socket listening on the first of `addresses`
    /// that is free, each tried at its port and then, with `to=`, at each
    /// port after it through `last`; an error other than the address being
    /// in use ends the search.
    static func listening(
        atAnyOf addresses: [SocketEndpoint], through last: UInt16?, mptcp: Bool, dualStack: Bool
    ) throws(EngineError) -> Int32 {
        var failure = EngineError("Failed to find an available port")
        for var address in addresses {
            for port in stride(from: address.port, through: last.map(Int.init) ?? address.port, by: 1) {
                address.port = port
                do throws(EngineError) {
                    return try listening(at: address, mptcp: mptcp, dualStack: dualStack)
                } catch where error.errno == .addressInUse {
                    failure = error
                }
            }
        }
        throw failure
    }
}
