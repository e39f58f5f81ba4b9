import Glibc

/// Holds every reactor back until all have set up their rings, so that no
/// reactor wakes a peer whose ring does not exist yet; and reports the first
/// failure to the engine.
final class StartupGate: Sendable {
    private struct State {
        var arrived = 0
        var failure: String?
    }

    private let expected: Int
    private let state = PosixMutex(State())

    init(expected: Int) {
        self.expected = expected
    }

    func arrive() {
        state.withLock { $0.arrived += 1 }
    }

    func fail(_ message: String) {
        state.withLock { state in
            if state.failure == nil { state.failure = message }
        }
    }

    /// Waits until every reactor arrived, or one failed; returns the failure.
    /// Startup is brief, so polling every 100 µs is cheaper than it looks.
    func wait() -> String? {
        while true {
            let (arrived, failure) = state.withLock { ($0.arrived, $0.failure) }
            if failure != nil || arrived == expected { return failure }
            usleep(100)
        }
    }
}
