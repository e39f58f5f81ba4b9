import Glibc
import Synchronization

/// An emulated Intel 82540EM, the NIC of QEMU's `-device e1000`, with the
/// guest-visible behaviour of QEMU 7.2's model; or one of QEMU's other two
/// e1000s, which differ only in their identity (`NICModel`).
///
/// Threading: every entry point takes the NIC's lock, so any thread may call
/// any of them.
/// - The emulator's vCPU threads read and write registers and configuration
///   space. A TDT write transmits before it returns; an RDT write delivers
///   queued frames before it returns, as in QEMU.
/// - The reactor that owns the NIC's port delivers arriving frames, in
///   batches under one lock hold, and runs the NIC's timers.
/// - The interrupt line is reported with the lock held: its callback must not
///   call back into the NIC.
/// A vCPU that queued work for the reactor (frames sent, slots freed, a timer
/// armed) rings the reactor's eventfd; it never touches the reactor's state.
/// A TDT write that needs more slots than the reactor supplied lets go of
/// the lock while the reactor supplies more (`finishTransmit`).
public final class E1000: @unchecked Sendable {
    private let core: PosixMutex<E1000Core>
    let channel: NICChannel
    /// The port counters, copied out of the core at the end of each access
    /// under the lock, so that reading them takes no lock: the interrupt
    /// callback, which runs with the lock held, may read statistics.
    private let framesOut = Atomic<UInt64>(0)
    private let bytesOut = Atomic<UInt64>(0)
    private let drops = Atomic<UInt64>(0)

    /// Keeps the guest memory's region table alive while the NIC uses it;
    /// replaced, under the lock, by `replaceGuestMemory(_:)`.
    private var memory: GuestMemory

    /// A NIC whose frames travel in `arena` slots, not yet connected to the
    /// lanes that bring frames to it.
    package init(features: E1000Features, memory: GuestMemory, interruptLine: InterruptLine, channel: NICChannel,
         arena: ArenaView) {
        self.channel = channel
        self.memory = memory
        let link = NICLink(channel: channel, incoming: [], arena: arena)
        core = PosixMutex(E1000Core(features: features, memory: memory.window, interruptLine: interruptLine,
            link: link))
    }

    /// Connects the lanes that bring frames to the NIC, one per reactor.
    package func connect(incoming lanes: [Lane]) {
        core.withLock { core in
            let link = NICLink(channel: channel, incoming: lanes, arena: core.link.arena)
            core.link = link
        }
    }

    /// The NIC's port counters: frames it received into the guest's ring are
    /// frames out of the engine, and frames it lost are drops.
    func statistics(name: String) -> PortStatistics {
        var statistics = PortStatistics(netdev: name, interface: name)
        statistics.framesOut = framesOut.load(ordering: .relaxed)
        statistics.bytesOut = bytesOut.load(ordering: .relaxed)
        statistics.drops = drops.load(ordering: .relaxed)
        return statistics
    }

    /// Copies the core's counters out for `statistics(name:)`; under the lock.
    @inline(__always)
    private func publishCounters(of core: borrowing E1000Core) {
        framesOut.store(core.framesReceived, ordering: .relaxed)
        bytesOut.store(core.bytesReceived, ordering: .relaxed)
        drops.store(core.framesLost &+ core.framesNotSent, ordering: .relaxed)
    }

    /// Reads `width` bytes (1, 2, 4 or 8) of BAR0 at `offset`, cut into
    /// pieces as QEMU's memory core cuts them (`flatview_read_continue`,
    /// `memory_access_size`): each piece reads the whole register holding it
    /// (`e1000_mmio_ops`: 4-byte accesses only) and keeps its low bytes, so
    /// an unaligned read repeats low bytes and may read ICR more than once.
    /// Bytes past the end of BAR0 read as 0.
    public func readRegister(at offset: Int, width: Int) -> UInt64 {
        access { core in
            var value: UInt64 = 0
            var done = 0
            while done < width {
                let address = offset + done
                let piece = Self.pieceSize(at: address, remaining: width - done)
                if address < E1000Register.spaceSize {
                    value |= (UInt64(core.readRegister(address)) & Self.mask(piece)) << UInt64(8 * done)
                }
                done += piece
            }
            return value
        }
    }

    /// Writes `width` bytes (1, 2, 4 or 8) of BAR0 at `offset`, in the pieces
    /// of `readRegister(at:width:)`: each piece writes its bytes, zero-extended,
    /// into the whole register holding it (`flatview_write_continue`). Bytes
    /// past the end of BAR0 are dropped.
    public func writeRegister(at offset: Int, width: Int, value: UInt64) {
        access { core in
            var done = 0
            while done < width {
                let address = offset + done
                let piece = Self.pieceSize(at: address, remaining: width - done)
                if address < E1000Register.spaceSize {
                    core.writeRegister(address,
                        UInt32(truncatingIfNeeded: (value >> UInt64(8 * done)) & Self.mask(piece)))
                }
                done += piece
            }
        }
    }

    /// The size of the next piece of an access (`memory_access_size`): at
    /// most 4 bytes, no more than the address's alignment, a power of two.
    private static func pieceSize(at address: Int, remaining: Int) -> Int {
        var limit = 4
        let alignment = address & -address
        if alignment != 0 && alignment < limit { limit = alignment }
        let size = min(remaining, limit)
        return size >= 4 ? 4 : size >= 2 ? 2 : 1
    }

    /// Reads `width` bytes (1, 2 or 4) of BAR1, the 64-byte I/O BAR, at
    /// `offset`: 0, whatever was written. QEMU 7.2 models no IOADDR/IODATA
    /// window behind it (`e1000_io_read`), so neither does this.
    public func readIO(at offset: Int, width: Int) -> UInt32 {
        0
    }

    /// Writes `width` bytes (1, 2 or 4) of BAR1 at `offset`: dropped, as
    /// `e1000_io_write` drops them.
    public func writeIO(at offset: Int, width: Int, value: UInt32) {}

    /// Reads `width` bytes (1, 2 or 4) of PCI configuration space.
    public func readConfig(at offset: Int, width: Int) -> UInt32 {
        core.withLock { $0.config.read(at: offset, width: width) }
    }

    /// Writes `width` bytes (1, 2 or 4) of PCI configuration space.
    public func writeConfig(at offset: Int, width: Int, value: UInt32) {
        access { core in core.writeConfig(value, at: offset, width: width) }
    }

    /// A device reset from the bus (QEMU's `DEVICE_RESET`, a VM's reboot):
    /// the NIC's registers as at power-on (`e1000_reset`) and its
    /// configuration registers as `pci_do_device_reset` leaves them; an
    /// interrupt line that was high is reported low.
    public func resetFunction() {
        access { core in
            let wasHigh = core.interruptLevel && core.config.command & PCICommand.interruptDisable == 0
            core.reset()
            core.config.resetRegisters()
            if wasHigh { core.interruptLine.report(false) }
        }
    }

    /// Points the NIC's DMA at `memory` from now on, as when the emulator's
    /// guest RAM is plugged or unplugged; DMA under way finishes first, since
    /// both take the NIC's lock. The emulator may unmap the old regions once
    /// this returns.
    public func replaceGuestMemory(_ memory: GuestMemory) {
        core.withLock { core in
            core.memory = memory.window
            self.memory = memory
        }
    }

    /// Where BAR0 decodes in guest-physical memory, while memory decoding is on.
    public var registerWindow: Range<UInt64>? {
        core.withLock { $0.config.registerWindow }
    }

    /// DMA the NIC refused: outside guest memory, or without bus mastering.
    public var refusedDMA: UInt64 {
        core.withLock { $0.refusedDMA }
    }

    private static func mask(_ width: Int) -> UInt64 {
        width >= 8 ? .max : (1 << (8 * UInt64(width))) - 1
    }

    /// Runs `body` under the lock, rings the reactor when it left work for
    /// it, and sees a transmit that waits for slots through.
    private func access<Result>(_ body: (inout E1000Core) -> Result) -> Result {
        let (result, waits) = withLockForReactor(body)
        if waits { finishTransmit() }
        return result
    }

    /// Runs `body` under the lock and, when it left work for the reactor,
    /// rings the reactor; tells too whether a transmit waits for slots.
    private func withLockForReactor<Result>(_ body: (inout E1000Core) -> Result) -> (Result, waits: Bool) {
        var kick = false
        let result = core.withLock { core in
            let deadline = core.timers.next
            let result = body(&core)
            publishCounters(of: core)
            kick = core.link.publish() || core.timers.next != deadline
            return (result, core.transmit.waitsForSlots)
        }
        if kick { channel.ringReactor() }
        return result
    }

    /// How long a doorbell waits for the reactor to supply slots when it
    /// supplied none: then the frames that find no slot are lost.
    static let slotWait: UInt64 = 200_000_000

    /// A doorbell's descriptors need more slots than the reactor had supplied:
    /// with the lock let go, the reactor sends the frames built so far and
    /// supplies more, and the doorbell goes on where it stopped, until TDT.
    /// QEMU sends every frame of a doorbell before the write returns; so does
    /// this, unless the reactor supplies nothing for `slotWait`.
    private func finishTransmit() {
        var deadline = monotonicNanoseconds() + Self.slotWait
        var waits = true
        while waits {
            sched_yield()
            let expired = monotonicNanoseconds() >= deadline
            let progressed: Bool
            (progressed, waits) = withLockForReactor { core in
                // A reset, or another vCPU's doorbell, may have ended the wait.
                guard core.transmit.waitsForSlots else { return false }
                let head = core[E1000Register.tdh]
                core.continueTransmit(waitingForSlots: !expired)
                return core[E1000Register.tdh] != head
            }
            if progressed { deadline = monotonicNanoseconds() + Self.slotWait }
        }
    }

    // MARK: The home reactor's side

    /// Delivers frames that arrived, and runs due timers; returns the next
    /// timer deadline. Runs on the home reactor.
    package func serviceFromReactor(now: UInt64) -> UInt64? {
        core.withLock { core in
            core.fireTimers(now: now)
            core.receiveArrivals()
            publishCounters(of: core)
            _ = core.link.publish()
            return core.timers.next
        }
    }
}
