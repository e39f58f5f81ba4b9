import Glibc

/// A socket address ready for `bind`, `connect` or `sendmsg`: an IPv4, IPv6
/// or Unix-domain address in a `sockaddr_storage`.
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

    /// The first address `host` and `port` resolve to (`getaddrinfo`), of
    /// `family` (`AF_INET`, `AF_INET6` or `AF_UNSPEC` for either). An empty
    /// host is the wildcard address when `passive`, else the loopback.
    ///
    /// - Throws: What went wrong, in `getaddrinfo`'s words.
    static func inet(host: String, port: String, family: Int32, passive: Bool, datagram: Bool)
        throws(EngineError) -> SocketEndpoint
    {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32((datagram ? SOCK_DGRAM : SOCK_STREAM).rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, port, &hints, &results)
        guard status == 0, let first = results else {
            throw EngineError("address resolution failed for \(host):\(port): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(results) }
        var endpoint = SocketEndpoint()
        withUnsafeMutableBytes(of: &endpoint.storage) { bytes in
            let address = UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen))
            bytes.copyMemory(from: address)
        }
        endpoint.length = first.pointee.ai_addrlen
        return endpoint
    }

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

    /// The address in QEMU's words for messages: `host:port` or the path.
    var description: String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        guard family != AF_UNIX else { return "unix socket" }
        let status = withSockaddr { address, length in
            getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                        NI_NUMERICHOST | NI_NUMERICSERV)
        }
        guard status == 0 else { return "unknown address" }
        return "\(Self.text(host)):\(Self.text(service))"
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
