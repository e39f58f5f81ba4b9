import Glibc

/// A host and a port as QEMU 7.2's `convert_host_port()` reads them
/// (`net/net.c`), for `-netdev socket` and the inet addresses of `-netdev dgram`.
struct HostPort: Equatable, Sendable {
    /// "" for any address, a dotted quad, or a name left to resolve.
    var host: String
    /// The host's address, or nil for a name; 0.0.0.0 for an empty host.
    var address: IPv4Address?
    var port: UInt16

    /// Splits `text` at its first `:`, as `parse_host_port()` does, and
    /// checks both halves.
    init(parsing text: String) throws(OptionDiagnostic) {
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            throw OptionDiagnostic("host address '\(text)' doesn't contain ':' separating host from port")
        }
        try self.init(host: String(text[..<colon]), port: String(text[text.utf8.index(after: colon)...]))
    }

    /// Checks `hostText` and `portText`; a name is resolved only when the
    /// port is bad, as QEMU resolves it before it reads the port
    /// (`nohost:abc` fails with "can't resolve host address").
    init(host hostText: String, port portText: String) throws(OptionDiagnostic) {
        switch hostText.utf8.first {
        case nil:
            (host, address) = ("", IPv4Address(value: 0))
        case let first? where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first):
            guard let address = IPv4Address(inetATON: hostText) else {
                throw OptionDiagnostic("host address '\(hostText)' is not a valid IPv4 address")
            }
            (host, self.address) = (address.dottedQuad, address)
        default:
            (host, address) = (hostText, nil)
        }
        guard let port = OptionValue.port(portText) else {
            throw Self.resolutionProblem(host, address: address)
                ?? OptionDiagnostic("port number '\(portText)' is invalid")
        }
        self.port = port
    }

    /// What QEMU reports when it resolves the host (`gethostbyname()`): nil
    /// for an address, or for a name that has an IPv4 address. A name is
    /// looked up, which may ask the system's resolver.
    var resolutionProblem: OptionDiagnostic? { Self.resolutionProblem(host, address: address) }

    private static func resolutionProblem(_ host: String, address: IPv4Address?) -> OptionDiagnostic? {
        guard address == nil else { return nil }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &found) == 0 else {
            return OptionDiagnostic("can't resolve host address '\(host)'")
        }
        freeaddrinfo(found)
        return nil
    }
}
