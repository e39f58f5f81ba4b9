import Glibc
import SystemPackage

/// Joinable POSIX threads for the engine's reactors.
///
/// The engine's threads block every signal, so that a process's SIGINT or
/// SIGTERM reaches the thread that waits for it, never a reactor.
package enum PosixThread {
    /// Starts a thread running `body`, pinned to `cpu` when one is given.
    ///
    /// The corresponding C function is `pthread_create`.
    package static func spawn(pinnedTo cpu: Int?, _ body: @escaping @Sendable () -> Void) throws(Errno) -> pthread_t {
        let context = Unmanaged.passRetained(Start(cpu: cpu, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
            var signals = sigset_t()
            sigfillset(&signals)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            if let cpu = start.cpu {
                CPUAffinity.pinCurrentThread(to: cpu)
            }
            start.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            throw Errno(rawValue: result)
        }
        return thread
    }

    /// Waits for `thread` to finish.
    ///
    /// The corresponding C function is `pthread_join`.
    package static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }

    private final class Start: Sendable {
        let cpu: Int?
        let body: @Sendable () -> Void

        init(cpu: Int?, body: @escaping @Sendable () -> Void) {
            self.cpu = cpu
            self.body = body
        }
    }
}
