/// An e1000 as a PCI function that another process's VM drives: the
/// transport-neutral core of a remote device server. A front end (the
/// multi-process QEMU protocol, or later vfio-user) turns its messages into
/// these calls; the function owns the NIC's configuration space as the VM
/// sees it, decodes bus addresses to its BARs, keeps the guest memory table
/// and drives the INTx pin.
///
/// Threading: the front end's thread calls everything here; the NIC's home
/// reactor works beside it, and both meet under the NIC's lock.
public final class E1000Function: @unchecked Sendable {
    public let nic: E1000
    public let intx: INTxLine
    private var sharedMemory = SharedGuestMemory()

    /// Which address space an access comes through.
    public enum Space: Sendable {
        case memory, io
    }

    /// A NIC's function; `intx` must be the line the NIC reports to.
    public init(nic: E1000, intx: INTxLine) {
        self.nic = nic
        self.intx = intx
    }

    /// The NIC's attachment before the VM has sent anything: no guest
    /// memory, the interrupt on `intx`.
    public static func attachment(intx: INTxLine) -> NICAttachment {
        NICAttachment(memory: SharedGuestMemory().memory, interruptLine: intx.interruptLine)
    }

    // MARK: Configuration space

    /// The expansion ROM BAR (0x30) reads 0 and keeps nothing: the proxy
    /// probes only 0x10…0x28 and maps no ROM, so a ROM BAR the guest could
    /// size would point at nothing.
    private static let romBAR = 0x30..<0x34

    /// Reads `width` bytes (1, 2 or 4) at `offset`; nil when the access
    /// does not fit in the 256-byte header.
    public func readConfig(at offset: Int, width: Int) -> UInt32? {
        guard Self.fits(offset, width) else { return nil }
        var value = nic.readConfig(at: offset, width: width)
        for byte in Self.romBAR.clamped(to: offset..<offset + width) {
            value &= ~(0xFF << (8 * UInt32(byte - offset)))
        }
        return value
    }

    /// Writes `width` bytes (1, 2 or 4) at `offset`; false when the access
    /// does not fit in the 256-byte header.
    public func writeConfig(at offset: Int, width: Int, value: UInt32) -> Bool {
        guard Self.fits(offset, width) else { return false }
        guard Self.romBAR.overlaps(offset..<offset + width) else {
            nic.writeConfig(at: offset, width: width, value: value)
            return true
        }
        for byte in offset..<offset + width where !Self.romBAR.contains(byte) {
            nic.writeConfig(at: byte, width: 1, value: value >> (8 * UInt32(byte - offset)) & 0xFF)
        }
        return true
    }

    private static func fits(_ offset: Int, _ width: Int) -> Bool {
        [1, 2, 4].contains(width) && offset >= 0 && offset + width <= 256
    }

    // MARK: BARs

    /// The BAR and offset a bus address falls in, while the command
    /// register decodes that space: BAR0 (memory, 128 KiB) or BAR1 (I/O, 64
    /// bytes), from the addresses the guest programmed.
    public func decode(_ space: Space, address: UInt64, width: Int) -> (bar: Int, offset: Int)? {
        let command = UInt16(truncatingIfNeeded: nic.readConfig(at: 0x04, width: 2))
        let (bar, size, decodes): (Int, UInt32, Bool) = switch space {
        case .memory: (0, E1000ConfigSpace.bar0Size, command & PCICommand.memorySpace != 0)
        case .io: (1, E1000ConfigSpace.bar1Size, command & PCICommand.ioSpace != 0)
        }
        guard decodes else { return nil }
        let base = UInt64(nic.readConfig(at: 0x10 + 4 * bar, width: 4) & ~(size - 1))
        guard address >= base, address - base < UInt64(size), UInt64(width) <= UInt64(size) - (address - base) else {
            return nil
        }
        return (bar, Int(address - base))
    }

    /// Reads `width` bytes (1, 2, 4 or 8) of `bar` at `offset`.
    public func read(bar: Int, offset: Int, width: Int) -> UInt64 {
        bar == 0 ? nic.readRegister(at: offset, width: width) : UInt64(nic.readIO(at: offset, width: width))
    }

    /// Writes `width` bytes (1, 2, 4 or 8) of `bar` at `offset`.
    public func write(bar: Int, offset: Int, width: Int, value: UInt64) {
        if bar == 0 {
            nic.writeRegister(at: offset, width: width, value: value)
        } else {
            nic.writeIO(at: offset, width: width, value: UInt32(truncatingIfNeeded: value))
        }
    }

    // MARK: Guest memory, reset

    /// Replaces the whole guest memory table. DMA under way finishes in the
    /// old table first; no frame is written into it afterwards, and the old
    /// mappings go once nothing uses them.
    public func replaceMemory(_ regions: [SharedGuestMemory.Region]) throws(DeviceError) {
        let memory = try SharedGuestMemory(regions: regions, reusing: sharedMemory)
        nic.replaceGuestMemory(memory.memory)
        sharedMemory = memory
    }

    /// How many files the current guest memory table maps.
    public var mappedFiles: Int { sharedMemory.fileCount }

    /// A device reset (`DEVICE_RESET`): the NIC's registers, and the
    /// command, BAR and interrupt-line registers its bus clears
    /// (`pci_do_device_reset`); the INTx level drops without a signal.
    public func reset() {
        nic.resetFunction()
        intx.reset()
    }

    /// The VM is gone: no DMA into its memory from now on, and the NIC
    /// stays reset, so frames for it are dropped and counted.
    public func disconnect() {
        reset()
        nic.replaceGuestMemory(SharedGuestMemory().memory)
        sharedMemory = SharedGuestMemory()
    }
}
