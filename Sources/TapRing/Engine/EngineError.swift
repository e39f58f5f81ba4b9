import SystemPackage

/// A failure to bring up the network a command line describes, worded like
/// QEMU's: the option it concerns, then what went wrong.
public struct EngineError: Error, CustomStringConvertible {
    /// The option as typed, such as `-netdev tap,id=a,ifname=ta0`, when one is to blame.
    public var location: String?
    public var message: String
    /// The system's error behind the failure, when a system call failed:
    /// for callers that act on it (`.permissionDenied`, `.resourceBusy`…)
    /// rather than on the message.
    public var errno: Errno?

    init(location: String? = nil, _ message: String) {
        self.location = location
        self.message = message
    }

    init(_ message: String, _ cause: any Error) {
        self.init("\(message): \(cause)")
        errno = cause as? Errno
    }

    public var description: String {
        location.map { "\($0): \(message)" } ?? message
    }
}
