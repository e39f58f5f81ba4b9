/// `NetdevStreamOptions` as `visit_type_Netdev()` reads it: `addr`, then `server`.
struct StreamMembers: Equatable, Sendable {
    var address: SocketAddressMembers
    var server: Bool?

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        // The opts visitor of -nic and -net has no nested structs: it looks
        // for the address's `type` among the keys, where the netdev's own
        // `type` was already taken.
        guard reader.syntax != .qemuOpts else { throw .missingParameter("type") }
        guard let address = try SocketAddressMembers.read("addr", from: &reader) else {
            throw .missingParameter("addr")
        }
        self.address = address
        server = try reader.bool("server")
    }
}

extension StreamOptions {
    /// `net_init_stream()`, which in QEMU 7.2 checks nothing before it
    /// listens or connects in the background: an address that cannot be
    /// used, a descriptor's name among them, fails there, not here.
    init(_ members: StreamMembers) {
        let address: SocketAddress
        switch members.address {
        case .inet(let inet): address = .inet(inet)
        case .unix(let path, let abstract, let tight): address = .unix(path: path, abstract: abstract, tight: tight)
        case .vsock(let cid, let port): address = .vsock(cid: cid, port: port)
        case .fd(let text): address = OptionValue.fileDescriptor(text).map(SocketAddress.fd) ?? .fdName(text)
        }
        self.init(address: address, server: members.server ?? false)
    }
}
