import Glibc

/// A PCI function's INTx pin as a VM's interrupt controller sees it through
/// two eventfds: KVM's irqfd with `KVM_IRQFD_FLAG_RESAMPLE`, the level-
/// triggered interrupt that multi-process QEMU's `SET_IRQFD` hands over.
///
/// The pin cannot be lowered from here: the VM lowers it when the guest
/// acknowledges the interrupt (EOI) and then signals the resample eventfd.
/// So the line signals the trigger eventfd on each rising edge of the
/// device's level, and again on each resample while the level is still high
/// (QEMU's `remote_iohub_set_irq` and `intr_resample_handler`).
///
/// Threading: `setLevel(_:)` runs under the device's lock; the others on
/// the thread that serves the VM. Each takes the line's own lock only.
public final class INTxLine: @unchecked Sendable {
    private struct State {
        var level = false
        var trigger: Int32 = -1
        var resample: Int32 = -1
    }

    private let state = PosixMutex(State())

    public init() {}

    deinit {
        state.withLock { Self.close($0) }
    }

    /// The line as a device reports it.
    public var interruptLine: InterruptLine {
        .callback { level in self.setLevel(level) }
    }

    /// Takes ownership of the VM's trigger and resample eventfds, closing
    /// those it had; a line already high signals the new trigger at once.
    public func connect(trigger: Int32, resample: Int32) {
        state.withLock { state in
            Self.close(state)
            state.trigger = trigger
            state.resample = resample
            if state.level { EventCounter(descriptor: trigger).signal() }
        }
    }

    /// The resample eventfd to watch, or -1 before `connect`.
    public var resampleDescriptor: Int32 {
        state.withLock { $0.resample }
    }

    /// The device's level changed.
    func setLevel(_ level: Bool) {
        state.withLock { state in
            defer { state.level = level }
            guard level, !state.level, state.trigger >= 0 else { return }
            EventCounter(descriptor: state.trigger).signal()
        }
    }

    /// The resample eventfd is readable: the guest acknowledged the
    /// interrupt and the VM lowered the pin. Raises it again while the
    /// device still holds the level high.
    ///
    /// The corresponding C function is `read`, of 8 bytes from the resample eventfd.
    public func resample() {
        state.withLock { state in
            var count: UInt64 = 0
            guard state.resample >= 0 else { return }
            _ = retryingInterrupted { read(state.resample, &count, 8) }
            if state.level && state.trigger >= 0 { EventCounter(descriptor: state.trigger).signal() }
        }
    }

    /// A device reset: the level drops, and nothing is signalled.
    public func reset() {
        state.withLock { $0.level = false }
    }

    /// Whether the device holds the line high.
    public var level: Bool {
        state.withLock { $0.level }
    }

    private static func close(_ state: State) {
        if state.trigger >= 0 { Glibc.close(state.trigger) }
        if state.resample >= 0 { Glibc.close(state.resample) }
    }
}
