import CLinux
import Glibc
import SystemPackage

/// A thread that watches the resample eventfds of INTx lines and has each
/// line raise its pin again while its device still holds it high: what an
/// emulator embedding TapRing needs beside KVM's `KVM_IRQFD_FLAG_RESAMPLE`.
/// (The multi-process server watches its one line in its own loop.)
public final class INTxResampler: @unchecked Sendable {
    private let lines: [INTxLine]
    private let wake: Int32
    private var thread: pthread_t?

    /// Watches `lines`, each connected to its eventfds already.
    ///
    /// The corresponding C function is `eventfd`, for the wake-up.
    public init(lines: [INTxLine]) throws(DeviceError) {
        wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wake >= 0 else { throw DeviceError("could not create an eventfd", errno: .current) }
        self.lines = lines
    }

    deinit {
        stop()
        close(wake)
    }

    /// Starts the watching thread.
    public func start() throws(DeviceError) {
        guard thread == nil else { return }
        let lines = lines, wake = wake
        do {
            thread = try PosixThread.spawn(pinnedTo: nil) { Self.watch(lines, wake: wake) }
        } catch {
            throw DeviceError("could not start the INTx resample thread", errno: error)
        }
    }

    /// Stops the watching thread and waits for it.
    public func stop() {
        guard let thread else { return }
        EventCounter(descriptor: wake).signal()
        PosixThread.join(thread)
        self.thread = nil
    }

    /// The corresponding C function is `poll`.
    private static func watch(_ lines: [INTxLine], wake: Int32) {
        var watched = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            + lines.map { pollfd(fd: $0.resampleDescriptor, events: Int16(POLLIN), revents: 0) }
        while true {
            guard poll(&watched, nfds_t(watched.count), -1) >= 0 else {
                // Interrupted, the events are stale: a resample eventfd read
                // without one waiting would block.
                if Errno.current == .interrupted { continue }
                return
            }
            if watched[0].revents != 0 { return }
            for (index, line) in lines.enumerated() where watched[index + 1].revents != 0 {
                line.resample()
            }
        }
    }
}
