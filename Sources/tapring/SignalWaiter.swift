import Glibc

/// Waits for SIGINT, SIGTERM or SIGHUP synchronously, so that no handler
/// runs at an arbitrary point: the signals are blocked, and the waiting
/// thread takes them. QEMU ends on each of the three alike
/// (`os_setup_signal_handling`), and so does tapring.
struct SignalWaiter {
    private var signals = sigset_t()

    /// Blocks the three in the calling thread and the threads it starts from now on.
    init() {
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Waits up to `seconds`; returns the signal that arrived, or nil.
    ///
    /// The corresponding C function is `sigtimedwait`.
    func wait(seconds: Double) -> Int32? {
        let whole = max(0, seconds)
        var timeout = timespec(tv_sec: Int(whole), tv_nsec: Int((whole - whole.rounded(.down)) * 1e9))
        var signals = signals
        let received = sigtimedwait(&signals, nil, &timeout)
        return received > 0 ? received : nil
    }
}
