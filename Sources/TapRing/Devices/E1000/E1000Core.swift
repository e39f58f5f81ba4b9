import Glibc

/// Everything a guest can observe of one 82540EM, and the logic behind it,
/// as QEMU 7.2's `hw/net/e1000.c` models it; the reference for each piece is
/// the QEMU function its doc comment names.
///
/// Not thread-safe: `E1000` keeps it behind a lock, so every method runs with
/// exclusive access, on whichever thread holds the lock.
///
/// Per-frame path: a call to a non-mutating method that is not inlined
/// borrows `self`, which Swift 6.3 does by copying the whole core. Helpers
/// that receive and transmit call are therefore `mutating` when they change
/// the device (counters) and `@inline(__always)` when they only look.
struct E1000Core: ~Copyable {
    /// QEMU's `mac_reg`: one word per register, indexed by offset / 4. First,
    /// as a plain pointer: see `Reactor` on Swift 6.3's TSan instrumentation.
    let registers: UnsafeMutablePointer<UInt32>
    let phy: UnsafeMutablePointer<UInt16>
    let eeprom: UnsafeMutablePointer<UInt16>
    /// Where descriptors are read into and changed before they go back.
    let scratch: UnsafeMutableRawPointer
    var microwire = MicrowireState()
    var transmit: TransmitState
    /// `rxbuf_size`: 0 until the first RCTL write, and kept across resets.
    var receiveBufferSize = 0
    /// `rxbuf_min_shift`, from RCTL.RDMTS.
    var receiveThresholdShift = 1
    /// `mit_irq_level`: the level of the interrupt line.
    var interruptLevel = false
    /// `mit_timer_on`: a rising edge now waits for the mitigation timer.
    var mitigationPending = false
    /// `mit_ide`: a transmit descriptor asked for a delayed interrupt.
    var transmitDelayRequested = false
    var timers = E1000Timers()
    var config: E1000ConfigSpace
    let features: E1000Features
    var memory: GuestMemory.Window
    let interruptLine: InterruptLine
    var link: NICLink
    /// Set while a frame is being received: QEMU's queue refuses a looped-back
    /// frame then (the CVE-2021-3416 recursion guard).
    var receiving = false
    /// DMA the model refused: outside guest RAM, or with bus mastering off.
    var refusedDMA: UInt64 = 0
    /// Frames placed in the guest's receive ring, and their bytes.
    var framesReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0
    /// Frames from the engine that the ring had no room for, or that came
    /// while reception was off: lost, as QEMU loses them.
    var framesLost: UInt64 = 0
    /// Frames the guest sent that the engine could not carry: no slot to
    /// build them in, its reactor behind, or the engine stopped.
    var framesNotSent: UInt64 = 0

    init(features: E1000Features, memory: GuestMemory.Window, interruptLine: InterruptLine, link: consuming NICLink) {
        registers = .allocate(capacity: E1000Register.spaceSize / 4)
        phy = .allocate(capacity: 32)
        eeprom = .allocate(capacity: 64)
        scratch = .allocate(byteCount: 64, alignment: 16)
        transmit = TransmitState()
        config = E1000ConfigSpace(deviceID: features.model.pciDeviceID)
        self.features = features
        self.memory = memory
        self.interruptLine = interruptLine
        self.link = link
        loadEEPROM()
        reset()
    }

    deinit {
        registers.deallocate()
        phy.deallocate()
        eeprom.deallocate()
        scratch.deallocate()
        transmit.deallocate()
    }

    /// The register at byte offset `offset`.
    subscript(_ offset: Int) -> UInt32 {
        @inline(__always) get { registers[offset >> 2] }
        @inline(__always) nonmutating set { registers[offset >> 2] = newValue }
    }

    /// Machine reset (`e1000_reset`): registers to their reset values, PHY
    /// reloaded, timers stopped, transmit state cleared. `rxbuf_size` and the
    /// Microwire state survive, as in QEMU.
    mutating func reset() {
        timers = E1000Timers()
        mitigationPending = false
        interruptLevel = false
        transmitDelayRequested = false
        resetPHY()
        registers.initialize(repeating: 0, count: E1000Register.spaceSize / 4)
        self[E1000Register.ctrl] = 0x0014_0240
        self[E1000Register.status] = 0x8008_0783
        self[E1000Register.ledctl] = 0x0000_0602
        self[E1000Register.pba] = 0x0010_0030
        self[E1000Register.manc] = 0x0022_2300
        if features.initializesVET {
            self[E1000Register.vet] = 0x8100
        }
        let mac = features.mac.octets
        self[E1000Register.ra] = UInt32(mac.0) | UInt32(mac.1) << 8 | UInt32(mac.2) << 16 | UInt32(mac.3) << 24
        self[E1000Register.ra + 4] = 0x8000_0000 | UInt32(mac.4) | UInt32(mac.5) << 8
        receiveThresholdShift = 1
        if let slot = transmit.slot {
            link.giveBack(slot)
            transmit.slot = nil
        }
        transmit.clear()
    }

    // MARK: DMA

    /// Whether the device may master the bus (PCI command bit 2).
    var busMastering: Bool { config.command & PCICommand.busMaster != 0 }

    /// Copies guest memory at `address` into `destination`. Bytes the device
    /// may not reach (outside guest memory, or all of them without bus
    /// mastering) read as zeros, as unassigned memory does in QEMU; a range
    /// that runs off the end of RAM is read up to the edge.
    @inline(__always)
    mutating func dmaRead(_ address: UInt64, into destination: UnsafeMutableRawPointer, count: Int) {
        if busMastering, let source = memory.pointer(at: address, count: count) {
            destination.copyMemory(from: source, byteCount: count)
        } else if count > 0 {
            dmaReadInPieces(address, into: destination, count: count)
        }
    }

    /// Copies `count` bytes into guest memory at `address`; the bytes the
    /// device may not write (outside RAM, or in ROM) are dropped, the rest
    /// written.
    @inline(__always)
    mutating func dmaWrite(_ address: UInt64, from source: UnsafeRawPointer, count: Int) {
        if busMastering, let destination = memory.pointer(at: address, count: count) {
            destination.copyMemory(from: source, byteCount: count)
        } else if count > 0 {
            dmaWriteInPieces(address, from: source, count: count)
        }
    }

    /// The 16-byte receive descriptor at `address`, read as `dmaRead` would,
    /// but into registers rather than through memory.
    @inline(__always)
    mutating func readReceiveDescriptor(at address: UInt64) -> ReceiveDescriptor {
        if busMastering, let source = memory.pointer(at: address, count: 16) {
            return ReceiveDescriptor(bytesAt: source)
        }
        dmaReadInPieces(address, into: scratch + 32, count: 16)
        return ReceiveDescriptor(bytesAt: scratch + 32)
    }

    /// Writes `descriptor` back to `address` as `dmaWrite` would.
    @inline(__always)
    mutating func writeReceiveDescriptor(_ descriptor: ReceiveDescriptor, at address: UInt64) {
        if busMastering, let destination = memory.pointer(at: address, count: 16) {
            descriptor.store(at: destination)
        } else {
            descriptor.store(at: scratch + 32)
            dmaWriteInPieces(address, from: scratch + 32, count: 16)
        }
    }

    /// `dmaRead` across region edges and unreachable bytes.
    @inline(never)
    private mutating func dmaReadInPieces(_ address: UInt64, into destination: UnsafeMutableRawPointer, count: Int) {
        let bytes = UnsafeMutableRawBufferPointer(start: destination, count: count)
        if busMastering, memory.read(address, into: bytes) { return }
        if !busMastering { bytes.initializeMemory(as: UInt8.self, repeating: 0) }
        refusedDMA += 1
    }

    /// `dmaWrite` across region edges and unreachable bytes.
    @inline(never)
    private mutating func dmaWriteInPieces(_ address: UInt64, from source: UnsafeRawPointer, count: Int) {
        if busMastering, memory.write(address, from: UnsafeRawBufferPointer(start: source, count: count)) { return }
        refusedDMA += 1
    }
}

/// The `-device e1000` model and properties that change what the guest sees.
package struct E1000Features: Sendable {
    /// Which of QEMU's e1000s: its PCI device ID, EEPROM and PHY identifier.
    var model: NICModel
    var mac: MACAddress
    /// `mitigation`: RDTR, RADV, TADV and ITR exist, and interrupts are paced.
    var mitigation = true
    /// `autonegotiation`: an MDIC write restarting autonegotiation drops the
    /// link for 500 ms.
    var autonegotiation = true
    /// `init-vet`: VET starts as 0x8100.
    var initializesVET = true
    /// `extra_mac_registers`: the statistics, FIFO and wake-up registers
    /// of `E1000_FLAG_MAC` can be read and written.
    var extraRegisters = true

    package init(
        model: NICModel = .e1000, mac: MACAddress, mitigation: Bool = true, autonegotiation: Bool = true,
        initializesVET: Bool = true, extraRegisters: Bool = true
    ) {
        self.model = model
        self.mac = mac
        self.mitigation = mitigation
        self.autonegotiation = autonegotiation
        self.initializesVET = initializesVET
        self.extraRegisters = extraRegisters
    }
}

/// QEMU's e1000 timers, as monotonic deadlines in nanoseconds; nil is disarmed.
struct E1000Timers {
    /// `mit_timer`: ends the interrupt mitigation window.
    var mitigation: UInt64?
    /// `flush_queue_timer`: ends the receive holdback that follows an RCTL write.
    var flushQueue: UInt64?
    /// `autoneg_timer`: brings the link back up after autonegotiation.
    var autonegotiation: UInt64?

    /// The earliest armed deadline.
    var next: UInt64? {
        let earliest = min(mitigation ?? .max, flushQueue ?? .max, autonegotiation ?? .max)
        return earliest == .max ? nil : earliest
    }
}

/// Nanoseconds on the monotonic clock, the clock the device's timers run on.
package func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
