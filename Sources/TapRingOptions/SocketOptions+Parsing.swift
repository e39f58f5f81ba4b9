/// `NetdevSocketOptions` as typed: every member is a string.
struct SocketMembers: Equatable, Sendable {
    var fd, listen, connect, mcast, localaddr, udp: String?

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        fd = try reader.string("fd")
        listen = try reader.string("listen")
        connect = try reader.string("connect")
        mcast = try reader.string("mcast")
        localaddr = try reader.string("localaddr")
        udp = try reader.string("udp")
    }
}

extension SocketOptions {
    /// Applies `net_init_socket()`'s checks to the members of a `-netdev
    /// socket`, in its order, up to where QEMU would create the socket.
    init(_ members: SocketMembers) throws(OptionDiagnostic) {
        let (fd, listen, connect) = (members.fd, members.listen, members.connect)
        let (mcast, localaddr, udp) = (members.mcast, members.localaddr, members.udp)
        // An empty value counts as given: QEMU tests the pointers.
        guard [fd, listen, connect, mcast, udp].compactMap(\.self).count == 1 else {
            // `fd=` counts too, though the message leaves it out.
            throw OptionDiagnostic("exactly one of listen=, connect=, mcast= or udp= is required")
        }
        if localaddr != nil, mcast == nil, udp == nil {
            throw OptionDiagnostic("localaddr= is only valid with mcast= or udp=")
        }

        if let fd {
            guard let descriptor = OptionValue.fileDescriptor(fd) else {
                throw OptionDiagnostic("Invalid file descriptor number '\(fd)'")
            }
            self.init(mode: .inheritedDescriptor(descriptor))
        } else if let listen {
            let address = try HostPort(parsing: listen)
            self.init(mode: .listen(host: address.host, port: address.port))
        } else if let connect {
            let address = try HostPort(parsing: connect)
            self.init(mode: .connect(host: address.host, port: address.port))
        } else if let mcast {
            self.init(mode: try Self.multicast(mcast, localaddr: localaddr))
        } else if let udp {
            guard let localaddr else { throw OptionDiagnostic("localaddr= is mandatory with udp=") }
            // net_socket_udp_init() reads the local address first.
            let local = try HostPort(parsing: localaddr)
            let remote = try HostPort(parsing: udp)
            self.init(mode: .udp(
                localHost: local.host, localPort: local.port, remoteHost: remote.host, remotePort: remote.port))
        } else {
            preconditionFailure("exactly one socket mode is given")
        }
    }

    /// `net_socket_mcast_init()` up to `socket()`: the group, then the local
    /// address, then whether the group is multicast at all.
    private static func multicast(_ mcast: String, localaddr: String?) throws(OptionDiagnostic) -> Mode {
        let group = try HostPort(parsing: mcast)
        var localAddress: String?
        if let localaddr {
            guard let address = IPv4Address(inetATON: localaddr) else {
                throw OptionDiagnostic("localaddr '\(localaddr)' is not a valid IPv4 address")
            }
            localAddress = address.dottedQuad
        }
        // A name has yet to be resolved; its address is checked then.
        if let address = group.address, !address.isMulticast {
            let hex = String(address.value, radix: 16)
            throw OptionDiagnostic(
                "specified mcastaddr \(address.dottedQuad) (0x\(String(repeating: "0", count: 8 - hex.count))\(hex)) "
                    + "does not contain a multicast address"
            )
        }
        return .multicast(group: group.host, port: group.port, localAddress: localAddress)
    }
}
