import CTapRing
import Synchronization
import TapRing

/// An engine as the C interface holds it: a validated plan, what the
/// emulator gave each NIC, and, once started, the running engine.
final class CEngine: Sendable {
    private struct State {
        var memories: [GuestMemory?]
        var interrupts: [InterruptLine?]
        var engine: Engine?
    }

    let plan: NetworkPlan
    private let state: Mutex<State>

    init(plan: NetworkPlan) {
        self.plan = plan
        state = Mutex(State(
            memories: plan.devices.map { _ in nil }, interrupts: plan.devices.map { _ in nil }, engine: nil))
    }

    func checkNIC(_ nic: Int) throws(CallFailure) {
        guard plan.devices.indices.contains(nic) else {
            throw .argument("nic \(nic): the options have \(plan.devices.count) NICs")
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
        }
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
        }
    }

    func stop() {
        state.withLock { $0.engine }?.stop()
    }

    /// The running engine.
    func running() throws(CallFailure) -> Engine {
        guard let engine = state.withLock({ $0.engine }) else { throw .state("the engine is not started") }
        return engine
    }

    /// NIC `nic` of the running engine.
    func nic(_ nic: Int) throws(CallFailure) -> E1000 {
        try checkNIC(nic)
        return try running().nics[nic]
    }
}
