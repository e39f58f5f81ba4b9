import Glibc
import SystemPackage

extension Errno {
    /// The error the last failed system call on this thread left behind.
    ///
    /// The corresponding C global variable is `errno`.
    static var current: Errno { Errno(rawValue: errno) }

    /// The error a negative io_uring completion result carries.
    init(completionResult result: Int32) {
        self.init(rawValue: -result)
    }
}
