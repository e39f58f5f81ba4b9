/// `NetdevDgramOptions` as `visit_type_Netdev()` reads it: `local`, then `remote`.
struct DgramMembers: Equatable, Sendable {
    var local: SocketAddressMembers?
    var remote: SocketAddressMembers?

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        // The opts visitor of -nic and -net finds no `local` or `remote` key,
        // only `local.type` and the like, which are then left over.
        guard reader.syntax != .qemuOpts else { return }
        local = try SocketAddressMembers.read("local", from: &reader)
        remote = try SocketAddressMembers.read("remote", from: &reader)
    }
}

extension DgramOptions {
    /// `net_init_dgram()` and `net_dgram_mcast_init()` up to `socket()`, in
    /// their order: an inet `remote` is read first, to see whether it is a
    /// multicast group; then the rules for `local` and `remote`; then the
    /// addresses themselves.
    ///
    /// QEMU resolves a `remote` host name to decide; TapRing takes a name
    /// for a unicast host, and resolves it only when a later rule fails, to
    /// report a name that does not resolve first, as QEMU does.
    init(_ members: DgramMembers) throws(OptionDiagnostic) {
        var remoteHost: HostPort?
        if case .inet(let inet) = members.remote {
            let group = try HostPort(host: inet.host, port: inet.port)
            if let address = group.address, address.isMulticast {
                self.init(local: try Self.multicastLocal(members.local), remote: .inet(Self.stored(group)))
                return
            }
            remoteHost = group
        }
        do throws(OptionDiagnostic) {
            try self.init(unicast: members)
        } catch {
            throw remoteHost?.resolutionProblem ?? error
        }
    }

    /// The rules for a `-netdev dgram` that is not multicast, then its addresses.
    private init(unicast members: DgramMembers) throws(OptionDiagnostic) {
        let (local, remote) = (members.local, members.remote)
        guard let local else { throw OptionDiagnostic("dgram requires local= parameter") }
        if let remote {
            if case .fd = local { throw OptionDiagnostic("don't set remote with local.fd") }
            guard remote.kind == local.kind else { throw OptionDiagnostic("remote and local types must be the same") }
        } else if local.kind != "fd" {
            throw OptionDiagnostic("type=inet or type=unix requires remote parameter")
        }

        switch (local, remote) {
        case (.inet(let localInet), .inet(let remoteInet)?):
            let localAddress = try HostPort(host: localInet.host, port: localInet.port)
            let remoteAddress = try HostPort(host: remoteInet.host, port: remoteInet.port)
            self.init(local: .inet(Self.stored(localAddress)), remote: .inet(Self.stored(remoteAddress)))
        case (.unix(let localPath, _, _), .unix(let remotePath, _, _)?):
            for path in [localPath, remotePath] where path.utf8.count >= Self.unixPathCapacity {
                throw OptionDiagnostic("UNIX socket path '\(path)' is too long")
            }
            self.init(local: .unix(path: localPath), remote: .unix(path: remotePath))
        case (.fd(let text), nil):
            self.init(local: .fd(try SocketAddressMembers.descriptor(text)))
        default:
            throw OptionDiagnostic("only support inet or fd type for local")
        }
    }

    /// `sizeof(sun_path)` on Linux; a path must leave room for its NUL.
    private static let unixPathCapacity = 108

    /// The local side of a multicast `-netdev dgram`: nothing, an inet
    /// address whose host is the interface to send from, or a descriptor.
    private static func multicastLocal(_ local: SocketAddressMembers?) throws(OptionDiagnostic) -> SocketAddress? {
        switch local {
        case nil:
            return nil
        case .inet(let inet):
            guard let address = IPv4Address(inetATON: inet.host) else {
                throw OptionDiagnostic("localaddr '\(inet.host)' is not a valid IPv4 address")
            }
            return .inet(SocketAddress.InetAddress(host: address.dottedQuad, port: inet.port, numeric: true))
        case .fd(let text):
            return .fd(try SocketAddressMembers.descriptor(text))
        default:
            throw OptionDiagnostic("only support inet or fd type for local")
        }
    }

    /// An address as `convert_host_port()` left it.
    private static func stored(_ address: HostPort) -> SocketAddress.InetAddress {
        SocketAddress.InetAddress(host: address.host, port: String(address.port), numeric: address.address != nil)
    }
}

extension SocketAddressMembers {
    /// The `type` discriminator's value.
    fileprivate var kind: String {
        switch self {
        case .inet: "inet"
        case .unix: "unix"
        case .vsock: "vsock"
        case .fd: "fd"
        }
    }
}
