import CLinux
import Glibc
import SystemPackage

/// A socket address ready for `bind`, `connect` or `sendmsg`: an IPv4, IPv6,
/// Unix-domain or vsock address in a `sockaddr_storage`.
package struct SocketEndpoint: @unchecked Sendable {
    private(set) var storage = sockaddr_storage()
    private(set) var length: socklen_t = 0

    var family: Int32 { Int32(storage.ss_family) }

    /// Runs `body` with the address as the kernel takes it.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Copies the address to `destination`, which must have room for a
    /// `sockaddr_storage`; returns its length.
    func store(at destination: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        destination.pointee = storage
        return length
    }

    /// The first address `host` and `port` resolve to: see `resolve`.
    static func inet(host: String, port: String, family: Int32, passive: Bool, datagram: Bool)
        throws(EngineError) -> SocketEndpoint
    {
        try resolve(host: host, port: port, family: family, passive: passive, datagram: datagram)[0]
    }

    /// Every address `host` and `port` resolve to (`getaddrinfo`), in its
    /// order, of `family` (`AF_INET`, `AF_INET6` or `AF_UNSPEC` for either).
    /// An empty host is the wildcard address when `passive`, else the
    /// loopback; `numeric` takes both as numbers only.
    ///
    /// - Throws: What went wrong, in `getaddrinfo`'s words.
    static func resolve(host: String, port: String, family: Int32, passive: Bool, datagram: Bool,
                        numeric: Bool = false) throws(EngineError) -> [SocketEndpoint]
    {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32((datagram ? SOCK_DGRAM : SOCK_STREAM).rawValue)
        hints.ai_flags = (passive ? AI_PASSIVE : 0) | (numeric ? AI_NUMERICHOST | AI_NUMERICSERV : 0)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, port, &hints, &results)
        guard status == 0, results != nil else {
            throw EngineError("address resolution failed for \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(results) }
        var endpoints: [SocketEndpoint] = []
        for result in sequence(first: results!, next: { $0.pointee.ai_next }) {
            var endpoint = SocketEndpoint()
            withUnsafeMutableBytes(of: &endpoint.storage) { bytes in
                bytes.copyMemory(from: UnsafeRawBufferPointer(start: result.pointee.ai_addr,
                                                              count: Int(result.pointee.ai_addrlen)))
            }
            endpoint.length = result.pointee.ai_addrlen
            endpoints.append(endpoint)
        }
        return endpoints
    }

    /// An IP address's port.
    var port: Int {
        get {
            withUnsafeBytes(of: storage) { bytes in
                Int(UInt16(bigEndian: bytes.load(fromByteOffset: Self.portOffset, as: UInt16.self)))
            }
        }
        set {
            withUnsafeMutableBytes(of: &storage) { bytes in
                bytes.storeBytes(of: UInt16(truncatingIfNeeded: newValue).bigEndian, toByteOffset: Self.portOffset,
                                 as: UInt16.self)
            }
        }
    }

    /// Where `sin_port` and `sin6_port` both sit.
    private static let portOffset = MemoryLayout<sockaddr_in>.offset(of: \sockaddr_in.sin_port)!

    /// A Unix-domain address: `path` in the file system, or in the abstract
    /// namespace when `abstract`, sized to the name when `tight` (QEMU's
    /// `unix_connect_saddr`).
    static func unix(path: String, abstract: Bool, tight: Bool) throws(EngineError) -> SocketEndpoint {
        var endpoint = SocketEndpoint()
        let name = Array(path.utf8)
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let capacity = MemoryLayout<sockaddr_un>.size - pathOffset
        let prefix = abstract ? 1 : 0
        guard name.count + prefix < capacity else {
            throw EngineError("UNIX socket path '\(path)' is too long")
        }
        withUnsafeMutableBytes(of: &endpoint.storage) { bytes in
            bytes.storeBytes(of: sa_family_t(AF_UNIX), as: sa_family_t.self)
            for (index, byte) in name.enumerated() {
                bytes[pathOffset + prefix + index] = byte
            }
        }
        let used = pathOffset + prefix + name.count
        endpoint.length = socklen_t(abstract && tight ? used : abstract ? MemoryLayout<sockaddr_un>.size : used + 1)
        return endpoint
    }

    /// A vsock address: context ID `cid` and `port`, each a decimal number
    /// as QEMU's `vsock_parse_vaddr_to_sockaddr` reads it.
    static func vsock(cid: String, port: String) throws(EngineError) -> SocketEndpoint {
        guard let context = UInt32(cid) else { throw EngineError("Failed to parse cid '\(cid)'") }
        guard let number = UInt32(port) else { throw EngineError("Failed to parse port '\(port)'") }
        var endpoint = SocketEndpoint()
        endpoint.length = socklen_t(clinux_vsock_address(&endpoint.storage, context, number))
        return endpoint
    }

    /// The address `descriptor` is bound to.
    ///
    /// The corresponding C function is `getsockname`.
    static func local(of descriptor: Int32) -> SocketEndpoint? {
        var endpoint = SocketEndpoint()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &endpoint.storage) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { return nil }
        endpoint.length = length
        return endpoint
    }

    /// A Unix address's name: a path in the file system, or a name in the
    /// abstract namespace (without its leading NUL); nil for other families
    /// and unnamed sockets.
    var path: (name: String, isAbstract: Bool)? {
        guard family == AF_UNIX else { return nil }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        guard Int(length) > pathOffset else { return nil }
        return withUnsafeBytes(of: storage) { bytes in
            let name = bytes[pathOffset..<Int(length)]
            guard name.first == 0 else {
                return (String(decoding: name.prefix { $0 != 0 }, as: UTF8.self), false)
            }
            return (String(decoding: name.dropFirst().prefix { $0 != 0 }, as: UTF8.self), true)
        }
    }

    /// The address as QEMU's messages about binding name it: `ip=` and the
    /// host (`inet_ntoa`'s), or `unix=` and the path.
    var boundName: String {
        switch family {
        case AF_UNIX: "unix=" + (path.map { $0.isAbstract ? "@" + $0.name : $0.name } ?? "")
        case AF_VSOCK: "vsock"
        default: "ip=" + host
        }
    }

    /// An IP address's host, numeric.
    ///
    /// The corresponding C function is `getnameinfo`.
    var host: String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = withSockaddr { address, length in
            getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
        }
        return status == 0 ? Self.text(host) : "unknown address"
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension SocketEndpoint {
    /// Whether this is an IPv4 address in 224.0.0.0/4.
    var isIPv4Multicast: Bool {
        family == AF_INET && UInt32(bigEndian: ipv4Address.s_addr) >> 28 == 0xE
    }

    /// The IPv4 address, for an `AF_INET` endpoint.
    var ipv4Address: in_addr {
        withSockaddr { address, _ in
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
        }
    }

    /// Removes whatever file a Unix address names, as QEMU removes it before
    /// it binds (`unix_listen_saddr`) and when its listener closes
    /// (`socket_listen_cleanup`). Nothing for other addresses.
    ///
    /// The corresponding C function is `unlink`.
    func unlinkFile() throws(EngineError) {
        guard let (name, isAbstract) = path, !isAbstract, unlink(name) != 0, errno != ENOENT else { return }
        throw EngineError("failed to unlink socket \(name)", Errno.current)
    }
}
