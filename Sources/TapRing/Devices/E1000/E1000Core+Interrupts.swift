extension E1000Core {
    /// Sets ICR (and its mirror ICS) and drives the interrupt line from
    /// IMS & ICR, holding back a rising edge while a mitigation window is
    /// open (`set_interrupt_cause`).
    mutating func setInterruptCause(_ value: UInt32) {
        self[E1000Register.icr] = value
        self[E1000Register.ics] = value
        let pending = self[E1000Register.ims] & value
        if !interruptLevel && pending != 0 {
            if mitigationPending { return }
            if features.mitigation {
                openMitigationWindow(for: pending)
            }
        }
        setInterruptLevel(pending != 0)
    }

    /// Arms the mitigation timer for the shortest of TADV (when a descriptor
    /// asked for a delayed interrupt), RADV (when RDTR enables it) and ITR,
    /// in 256 ns units and never under 500 of them: the 8254x guarantees at
    /// most 7813 interrupts per second.
    private mutating func openMitigationWindow(for pending: UInt32) {
        var delay: UInt32 = 0
        func consider(_ candidate: UInt32) {
            if candidate != 0 && (delay == 0 || candidate < delay) { delay = candidate }
        }
        if transmitDelayRequested && pending & (E1000Interrupt.txqe | E1000Interrupt.txdw) != 0 {
            consider(self[E1000Register.tadv] &* 4)
        }
        if self[E1000Register.rdtr] != 0 && pending & E1000Interrupt.rxt0 != 0 {
            consider(self[E1000Register.radv] &* 4)
        }
        consider(self[E1000Register.itr])
        mitigationPending = true
        timers.mitigation = monotonicNanoseconds() + UInt64(max(delay, 500)) * 256
        transmitDelayRequested = false
    }

    private mutating func setInterruptLevel(_ level: Bool) {
        guard level != interruptLevel else { return }
        interruptLevel = level
        Trace.point(.e1000, "interrupt \(level ? "raised" : "cleared"): "
            + "ICR \(hex: UInt64(self[E1000Register.icr])) IMS \(hex: UInt64(self[E1000Register.ims]))")
        // INTx disable holds the pin low.
        interruptLine.report(level && config.command & PCICommand.interruptDisable == 0)
    }

    /// The mitigation window ended (`e1000_mit_timer`).
    mutating func mitigationTimerFired() {
        mitigationPending = false
        setInterruptCause(self[E1000Register.icr])
    }

    /// An ICS write, or any cause the device raises (`set_ics`).
    mutating func raise(_ causes: UInt32) {
        setInterruptCause(causes | self[E1000Register.icr])
    }

    /// An ICR read returns every cause and clears them all, whatever IMS holds
    /// (`mac_icr_read`).
    mutating func readAndClearCauses() -> UInt32 {
        let causes = self[E1000Register.icr]
        setInterruptCause(0)
        return causes
    }

    /// Reports the line again after the INTx-disable bit changed.
    mutating func interruptDisableChanged() {
        interruptLine.report(interruptLevel && config.command & PCICommand.interruptDisable == 0)
    }
}
