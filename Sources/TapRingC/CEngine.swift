import CTapRing
import Glibc
import Synchronization
import TapRing

/// An engine as the C interface holds it: a validated plan, what the
/// emulator gave each NIC, and, once started, the running engine.
final class CEngine: Sendable {
    private struct State {
        var memories: [GuestMemory?]
        var interrupts: [InterruptLine?]
        /// The NICs' INTx lines, whose resample eventfds a thread watches once started.
        var intxLines: [Int: INTxLine] = [:]
        var resampler: INTxResampler?
        var engine: Engine?
    }

    let plan: NetworkPlan
    // A pthread mutex, which ThreadSanitizer sees (see `PosixMutex`).
    private let state: PosixMutex<State>
    /// Calls under way that reach the running engine, and `closing` once
    /// destroy began: destroy waits for the calls, and refuses new ones.
    private let calls = Atomic<Int>(0)
    private static let closing = 1 << 62

    init(plan: NetworkPlan) {
        self.plan = plan
        state = PosixMutex(State(
            memories: plan.devices.map { _ in nil }, interrupts: plan.devices.map { _ in nil }, engine: nil))
    }

    func checkNIC(_ nic: Int) throws(CallFailure) {
        guard plan.devices.indices.contains(nic) else {
            // A size_t from C: -1 is SIZE_MAX there.
            throw .argument("nic \(UInt(bitPattern: nic)): the options have \(plan.devices.count) NICs")
        }
    }

    /// Guest memory for `nic`: kept for the start, or put in place now.
    func setMemory(_ memory: GuestMemory, for nic: Int) throws(CallFailure) {
        try checkNIC(nic)
        let engine = state.withLock { state -> Engine? in
            state.memories[nic] = memory
            return state.engine
        }
        engine?.nics[nic].replaceGuestMemory(memory)
    }

    func setInterrupt(_ line: InterruptLine, for nic: Int) throws(CallFailure) {
        try checkNIC(nic)
        try state.withLock { (state) throws(CallFailure) in
            guard state.engine == nil else { throw .state("the interrupt line is set before tapring_engine_start") }
            state.interrupts[nic] = line
            // An INTx line set before is replaced: its resample eventfd is nobody's to watch now.
            state.intxLines[nic] = nil
        }
    }

    /// An INTx line on copies of the emulator's eventfds.
    ///
    /// The corresponding C function is `fcntl`, with `F_DUPFD_CLOEXEC`.
    func setINTx(trigger: Int32, resample: Int32, for nic: Int) throws(CallFailure) {
        try checkNIC(nic)
        let line = INTxLine()
        let copies = (fcntl(trigger, F_DUPFD_CLOEXEC, 0), fcntl(resample, F_DUPFD_CLOEXEC, 0))
        guard copies.0 >= 0, copies.1 >= 0 else {
            [copies.0, copies.1].filter { $0 >= 0 }.forEach { close($0) }
            throw CallFailure(TAPRING_ERR_SYSTEM, "could not copy the eventfds: \(String(cString: strerror(errno)))")
        }
        line.connect(trigger: copies.0, resample: copies.1)
        try setInterrupt(line.interruptLine, for: nic)
        state.withLock { $0.intxLines[nic] = line }
    }

    func start() throws(CallFailure) {
        try state.withLock { (state) throws(CallFailure) in
            guard state.engine == nil else { throw .state("the engine is started already") }
            for nic in plan.devices.indices {
                guard state.memories[nic] != nil else { throw .state("nic \(nic) has no guest memory") }
                guard state.interrupts[nic] != nil else { throw .state("nic \(nic) has no interrupt line") }
            }
            let memories = state.memories.compactMap(\.self)
            let interrupts = state.interrupts.compactMap(\.self)
            var next = 0
            do throws(EngineError) {
                let engine = try Engine(plan) { (_) throws(EngineError) in
                    defer { next += 1 }
                    return NICAttachment(memory: memories[next], interruptLine: interrupts[next])
                }
                try engine.start()
                state.engine = engine
            } catch {
                throw CallFailure(TAPRING_ERR_SYSTEM, error.description)
            }
            guard !state.intxLines.isEmpty else { return }
            do throws(DeviceError) {
                let resampler = try INTxResampler(lines: Array(state.intxLines.values))
                try resampler.start()
                state.resampler = resampler
            } catch {
                state.engine?.stop()
                state.engine = nil
                throw CallFailure(TAPRING_ERR_SYSTEM, error.description)
            }
        }
    }

    func stop() {
        state.withLock { $0.engine }?.stop()
    }

    /// Runs `body` with the running engine, unless destroy began: then the
    /// handle is as good as retired. Destroy waits for `body` to end.
    func withRunning<Result>(_ body: (Engine) throws(CallFailure) -> Result) throws(CallFailure) -> Result {
        // One total order on `calls`: either destroy sees this call, or this
        // call sees destroy.
        if calls.wrappingAdd(1, ordering: .sequentiallyConsistent).oldValue & Self.closing != 0 {
            calls.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            throw CallFailure(TAPRING_ERR_HANDLE, "not a valid tapring_engine handle: it is being destroyed")
        }
        defer { calls.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
        guard let engine = state.withLock({ $0.engine }) else { throw .state("the engine is not started") }
        return try body(engine)
    }

    /// Runs `body` with NIC `nic` of the running engine: `withRunning(_:)`.
    func withNIC<Result>(_ nic: Int, _ body: (E1000) throws(CallFailure) -> Result) throws(CallFailure) -> Result {
        try checkNIC(nic)
        return try withRunning { (engine) throws(CallFailure) in try body(engine.nics[nic]) }
    }

    /// Refuses calls from now on, waits for those under way, and stops the
    /// engine: then nothing touches its memory, which goes with the last
    /// reference.
    func destroy() {
        calls.bitwiseOr(Self.closing, ordering: .sequentiallyConsistent)
        while calls.load(ordering: .sequentiallyConsistent) & ~Self.closing != 0 {
            sched_yield()
        }
        stop()
        state.withLock { $0.resampler }?.stop()
    }
}
