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

    package init(location: String? = nil, _ message: String) {
        self.location = location
        self.message = message
    }

    /// A failure `cause` explains: an `Errno` is kept as `errno`, and any
    /// other cause's words end the message.
    package init(_ message: String, _ cause: any Error) {
        if let errno = cause as? Errno {
            self.init(message)
            self.errno = errno
        } else {
            self.init("\(message): \(cause)")
        }
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + message + (errno.map { ": \($0)" } ?? "")
    }
}
