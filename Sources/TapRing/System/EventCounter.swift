import Glibc
import SystemPackage

/// An eventfd: a 64-bit counter in the kernel that a write adds to and a
/// read takes, waking whoever polls it.
struct EventCounter {
    let descriptor: Int32

    /// Whether `descriptor` is an open eventfd, told by the name the kernel
    /// gives its anonymous inode.
    ///
    /// The corresponding C function is `readlink`, of `/proc/self/fd/N`.
    static func isEventCounter(_ descriptor: Int32) -> Bool {
        guard descriptor >= 0 else { return false }
        var name = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/self/fd/\(descriptor)", &name, name.count - 1)
        guard length > 0 else { return false }
        return String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            == "anon_inode:[eventfd]"
    }

    /// Adds one to the counter; returns the error when the write failed.
    ///
    /// Retried when a signal interrupts it. It does not wait: a write waits
    /// only while the counter is at 2^64 − 2, which takes that many signals
    /// nobody read. The engine's own doorbells do not fail; an emulator's
    /// interrupt eventfd closed under the NIC (`EBADF`) loses its signals,
    /// and nothing else.
    ///
    /// The corresponding C function is `write`, of 8 bytes.
    @discardableResult
    func signal() -> Errno? {
        var one: UInt64 = 1
        return retryingInterrupted { write(descriptor, &one, 8) }
    }
}

/// Runs the system call `body` until no signal interrupts it; returns the
/// error it failed with, if it failed.
@inline(__always)
func retryingInterrupted(_ body: () -> Int) -> Errno? {
    while true {
        if body() >= 0 { return nil }
        let error = Errno.current
        if error != .interrupted { return error }
    }
}
