import SystemPackage

/// A device that cannot be set up as asked, and why: what is wrong, the
/// object it concerns, and the system's error when a system call failed.
public struct DeviceError: Error, CustomStringConvertible {
    /// What is wrong or could not be done, such as `is not an eventfd`.
    public var message: String
    /// What the error concerns, such as `descriptor 7` or `the guest memory
    /// region at 0x1000`, when one thing is to blame.
    public var object: String?
    /// The system's error behind the failure, when a system call failed.
    public var errno: Errno?

    package init(_ message: String, object: String? = nil, errno: Errno? = nil) {
        self.message = message
        self.object = object
        self.errno = errno
    }

    public var description: String {
        (object.map { "\($0) " } ?? "") + message + (errno.map { ": \($0)" } ?? "")
    }
}
