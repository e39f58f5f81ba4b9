extension E1000Core {
    /// A 32-bit read of the register at `offset` in BAR0 (`e1000_mmio_read`
    /// and `macreg_readops`). Registers QEMU does not implement read 0: they
    /// are never written, so their word stays 0.
    mutating func readRegister(_ offset: Int) -> UInt32 {
        let offset = offset & (E1000Register.spaceSize - 4)
        if !features.extraRegisters && Self.isExtra(offset) { return 0 }
        switch offset {
        case E1000Register.eecd:
            return readEECD()
        case E1000Register.eerd:
            return readEERD()
        case E1000Register.icr:
            return readAndClearCauses()
        case E1000Register.ait:
            return self[offset] & 0xFFFF
        case E1000Register.tdfh, E1000Register.tdft, E1000Register.fflt..<E1000Register.fflt + 28:
            return self[offset] & 0x7FF
        case E1000Register.rdfh, E1000Register.rdft, E1000Register.rdfhs, E1000Register.rdfts, E1000Register.rdfpc,
            E1000Register.tdfhs, E1000Register.tdfts, E1000Register.tdfpc:
            return self[offset] & 0x1FFF
        case E1000Register.ffmt..<E1000Register.ffmt + 4 * 255:
            return self[offset] & 0xF
        case E1000Register.gorch, E1000Register.gotch, E1000Register.torh, E1000Register.toth:
            // Reading the high half of a 64-bit counter clears both halves.
            let value = self[offset]
            self[offset - 4] = 0
            self[offset] = 0
            return value
        case _ where Self.clearsOnRead(offset):
            let value = self[offset]
            self[offset] = 0
            return value
        default:
            return self[offset]
        }
    }

    /// Statistics that read as zero after each read (`mac_read_clr4`).
    private static func clearsOnRead(_ offset: Int) -> Bool {
        switch offset {
        case E1000Register.prc64...E1000Register.gptc, E1000Register.ruc, E1000Register.roc,
            E1000Register.tpr...E1000Register.tsctc:
            return true
        default:
            return false
        }
    }

    /// A 32-bit write to the register at `offset` in BAR0 (`e1000_mmio_write`
    /// and `macreg_writeops`). Writes to read-only or unimplemented registers
    /// are ignored.
    mutating func writeRegister(_ offset: Int, _ value: UInt32) {
        let offset = offset & (E1000Register.spaceSize - 4)
        if !features.extraRegisters && Self.isExtra(offset) { return }
        switch offset {
        case E1000Register.ctrl:
            // CTRL.RST resets nothing in QEMU, and does not stick.
            self[offset] = value & ~0x0400_0000
        case E1000Register.eecd:
            writeEECD(value)
        case E1000Register.mdic:
            writeMDIC(value)
        case E1000Register.icr:
            setInterruptCause(self[E1000Register.icr] & ~value)
        case E1000Register.ics:
            raise(value)
        case E1000Register.ims:
            self[offset] |= value
            raise(0)
        case E1000Register.imc:
            self[E1000Register.ims] &= ~value
            raise(0)
        case E1000Register.rctl:
            writeReceiveControl(value)
        case E1000Register.tctl, E1000Register.tdt:
            self[offset] = value
            self[E1000Register.tdt] &= 0xFFFF
            startTransmit()
        case E1000Register.rdt:
            self[offset] = value & 0xFFFF
            if hasReceiveBuffers(for: 1) { flushQueue() }
        case E1000Register.rdlen, E1000Register.tdlen:
            self[offset] = value & 0xF_FF80
        case E1000Register.rdh, E1000Register.tdh:
            self[offset] = value & 0xFFFF
        case E1000Register.itr, E1000Register.rdtr, E1000Register.radv, E1000Register.tadv:
            if features.mitigation { self[offset] = value & 0xFFFF }
        case _ where Self.isStorage(offset):
            self[offset] = value
        default:
            break
        }
    }

    /// The registers `extra_mac_registers=off` hides: they read 0 and ignore
    /// writes, while the counters among them go on counting unseen
    /// (`markflag(MAC)` in `mac_reg_access`, which flags a table's first word
    /// only). QEMU also lists collision and flow-control counters it never
    /// counts, which read 0 either way.
    private static func isExtra(_ offset: Int) -> Bool {
        switch offset {
        case E1000Register.ipav, E1000Register.wuc, E1000Register.wus, E1000Register.ait, E1000Register.ip4at,
            E1000Register.ip6at, E1000Register.wupm, E1000Register.fflt, E1000Register.ffmt, E1000Register.ffvt,
            E1000Register.pbm, E1000Register.fcruc, E1000Register.rnbc, E1000Register.ruc, E1000Register.roc,
            E1000Register.gorcl, E1000Register.gorch, E1000Register.gotcl, E1000Register.gotch, E1000Register.bprc,
            E1000Register.mprc, E1000Register.tsctc, E1000Register.tsctfc, E1000Register.mptc, E1000Register.bptc,
            E1000Register.prc64...E1000Register.prc64 + 20, E1000Register.ptc64...E1000Register.ptc64 + 20,
            E1000Register.rdfh, E1000Register.rdft, E1000Register.rdfhs, E1000Register.rdfts, E1000Register.rdfpc,
            E1000Register.tdfh, E1000Register.tdft, E1000Register.tdfhs, E1000Register.tdfts, E1000Register.tdfpc:
            return true
        default:
            return false
        }
    }

    /// Registers a write simply stores (`mac_writereg`).
    private static func isStorage(_ offset: Int) -> Bool {
        switch offset {
        case E1000Register.eerd, E1000Register.vet, E1000Register.ait, E1000Register.ledctl, E1000Register.pba,
            E1000Register.rdfh, E1000Register.rdft, E1000Register.rdfhs, E1000Register.rdfts, E1000Register.rdfpc,
            E1000Register.rdbal, E1000Register.rdbah, E1000Register.tdfh, E1000Register.tdft, E1000Register.tdfhs,
            E1000Register.tdfts, E1000Register.tdfpc, E1000Register.tdbal, E1000Register.tdbah, E1000Register.txdctl,
            E1000Register.fcruc, E1000Register.wuc, E1000Register.wufc, E1000Register.wus, E1000Register.ipav,
            E1000Register.swsm,
            E1000Register.mta..<E1000Register.mta + 4 * 128, E1000Register.ra..<E1000Register.ra + 4 * 32,
            E1000Register.vfta..<E1000Register.vfta + 4 * 128, E1000Register.ip4at..<E1000Register.ip4at + 4 * 7,
            E1000Register.ip6at..<E1000Register.ip6at + 4 * 4, E1000Register.wupm..<E1000Register.wupm + 4 * 32,
            E1000Register.fflt..<E1000Register.fflt + 4 * 7, E1000Register.ffmt..<E1000Register.ffmt + 4 * 255,
            E1000Register.ffvt..<E1000Register.ffvt + 4 * 255, E1000Register.pbm..<E1000Register.pbm + 4 * 16384:
            return true
        default:
            return false
        }
    }

    /// An RCTL write sets the buffer size and the RXDMT0 threshold, and holds
    /// reception back for a second (`set_rx_control`).
    private mutating func writeReceiveControl(_ value: UInt32) {
        self[E1000Register.rctl] = value
        receiveBufferSize = Self.bufferSize(for: value)
        receiveThresholdShift = Int((value >> 8) & 3) + 1
        timers.flushQueue = monotonicNanoseconds() + 1_000_000_000
    }

    /// RCTL.BSIZE and BSEX as a buffer size; reserved encodings mean 2048
    /// (`e1000x_rxbufsize`).
    private static func bufferSize(for rctl: UInt32) -> Int {
        switch rctl & (E1000ReceiveControl.bufferSizeExtension | 0x3_0000) {
        case E1000ReceiveControl.bufferSizeExtension | 0x1_0000: 16384
        case E1000ReceiveControl.bufferSizeExtension | 0x2_0000: 8192
        case E1000ReceiveControl.bufferSizeExtension | 0x3_0000: 4096
        case 0x1_0000: 1024
        case 0x2_0000: 512
        case 0x3_0000: 256
        default: 2048
        }
    }

    /// Runs the timers whose deadline has passed.
    mutating func fireTimers(now: UInt64) {
        if let deadline = timers.mitigation, deadline <= now {
            timers.mitigation = nil
            mitigationTimerFired()
        }
        if let deadline = timers.flushQueue, deadline <= now {
            timers.flushQueue = nil
            flushQueue()
        }
        if let deadline = timers.autonegotiation, deadline <= now {
            timers.autonegotiation = nil
            autonegotiationTimerFired()
        }
    }

    /// A configuration-space write; one that leaves bus mastering on delivers
    /// queued frames (`e1000_write_config`).
    mutating func writeConfig(_ value: UInt32, at offset: Int, width: Int) {
        let before = config.command
        config.write(value, at: offset, width: width)
        if (before ^ config.command) & PCICommand.interruptDisable != 0 { interruptDisableChanged() }
        if offset <= 4 && offset + width > 4 && busMastering { flushQueue() }
    }
}
