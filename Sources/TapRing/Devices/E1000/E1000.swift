import Glibc
import Synchronization

/// An emulated Intel 82540EM, the NIC of QEMU's `-device e1000`, with the
/// guest-visible behaviour of QEMU 7.2's model.
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
public final class E1000: @unchecked Sendable {
    private let core: PosixMutex<E1000Core>
    let channel: NICChannel
    /// Rings the home reactor; set when an engine starts the NIC.
    private let doorbell = Atomic<Int32>(-1)

    /// Keeps the guest memory's region table alive as long as the NIC.
    private let memory: GuestMemory

    /// A NIC whose frames travel in `arena` slots, not yet connected to the
    /// lanes that bring frames to it.
    init(features: E1000Features, memory: GuestMemory, interruptLine: InterruptLine, channel: NICChannel,
         arena: ArenaView) {
        self.channel = channel
        self.memory = memory
        let link = NICLink(channel: channel, incoming: [], arena: arena)
        core = PosixMutex(E1000Core(features: features, memory: memory.window, interruptLine: interruptLine, link: link))
    }

    /// Connects the lanes that bring frames to the NIC, one per reactor.
    func connect(incoming lanes: [Lane]) {
        core.withLock { core in
            let link = NICLink(channel: channel, incoming: lanes, arena: core.link.arena)
            core.link = link
        }
    }

    /// The NIC's port counters: frames it received into the guest's ring are
    /// frames out of the engine.
    func statistics(name: String) -> PortStatistics {
        var statistics = PortStatistics(netdev: name, interface: name)
        core.withLock { core in
            statistics.framesOut = core.framesReceived
            statistics.bytesOut = core.bytesReceived
        }
        return statistics
    }

    /// Reads `width` bytes (1, 2, 4 or 8) of BAR0 at `offset`. Narrow reads
    /// return the low bytes of the register holding `offset`; 8-byte reads
    /// are two 4-byte reads (`e1000_mmio_ops`: 4-byte accesses only).
    public func readRegister(at offset: Int, width: Int) -> UInt64 {
        access { core in
            if width == 8 {
                let low = UInt64(core.readRegister(offset))
                return low | UInt64(core.readRegister(offset + 4)) << 32
            }
            return UInt64(core.readRegister(offset)) & Self.mask(width)
        }
    }

    /// Writes `width` bytes (1, 2, 4 or 8) of BAR0 at `offset`. A narrow
    /// write stores its value, zero-extended, into the whole register.
    public func writeRegister(at offset: Int, width: Int, value: UInt64) {
        access { core in
            core.writeRegister(offset, UInt32(truncatingIfNeeded: value & Self.mask(min(width, 4))))
            if width == 8 { core.writeRegister(offset + 4, UInt32(truncatingIfNeeded: value >> 32)) }
        }
    }

    /// Reads `width` bytes (1, 2 or 4) of PCI configuration space.
    public func readConfig(at offset: Int, width: Int) -> UInt32 {
        core.withLock { $0.config.read(at: offset, width: width) }
    }

    /// Writes `width` bytes (1, 2 or 4) of PCI configuration space.
    public func writeConfig(at offset: Int, width: Int, value: UInt32) {
        access { core in core.writeConfig(value, at: offset, width: width) }
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

    /// Runs `body` under the lock and, when it left work for the reactor,
    /// rings the reactor.
    private func access<Result>(_ body: (inout E1000Core) -> Result) -> Result {
        var kick = false
        let result = core.withLock { core in
            let deadline = core.timers.next
            let result = body(&core)
            kick = core.link.publish() || core.timers.next != deadline
            return result
        }
        if kick { ringReactor() }
        return result
    }

    private func ringReactor() {
        let descriptor = doorbell.load(ordering: .acquiring)
        guard descriptor >= 0 else { return }
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    // MARK: The home reactor's side

    /// Called by the engine when the NIC's home reactor starts.
    func attach(doorbell descriptor: Int32) {
        doorbell.store(descriptor, ordering: .releasing)
    }

    /// Delivers frames that arrived, and runs due timers; returns the next
    /// timer deadline. Runs on the home reactor.
    func serviceFromReactor(now: UInt64) -> UInt64? {
        core.withLock { core in
            core.fireTimers(now: now)
            core.receiveArrivals()
            _ = core.link.publish()
            return core.timers.next
        }
    }
}
