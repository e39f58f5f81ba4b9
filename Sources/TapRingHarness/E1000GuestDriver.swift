import CLinux
import Glibc
import TapRing

import Synchronization

/// A guest for an e1000 that has no emulator behind it: a stand-in for
/// Linux's e1000 driver, in guest memory of its own. It sets the NIC up as
/// `e1000_configure` does, and handles interrupts the NAPI way: read ICR,
/// reap up to a budget of received frames, give the descriptors back with one
/// RDT write, repeat until a round comes up short.
///
/// Threading: `bringUp` and `run` belong to the driver's thread (its vCPU);
/// the counters may be read from any thread.
public final class E1000GuestDriver: @unchecked Sendable {
    public let memory: GuestMemory
    /// The eventfd the NIC signals on each rising edge of its interrupt line.
    public let interrupt: Int32
    /// Frames and bytes the guest has taken from its receive ring.
    public let framesReceived = Atomic<UInt64>(0)
    public let bytesReceived = Atomic<UInt64>(0)
    private let stopRequested = Atomic<Bool>(false)
    /// Sees each received frame's bytes, on the driver's thread, before the
    /// descriptor goes back: for testers that check what arrived.
    private let inspector: (@Sendable (UnsafeRawBufferPointer) -> Void)?
    private let ram: UnsafeMutableRawPointer
    private let ramSize: Int
    private let ring: RingLayout
    private var nextToClean = 0
    private var nextToUse = 0

    /// Where the driver keeps its rings and buffers, in guest-physical terms.
    struct RingLayout {
        var descriptors = 256
        var bufferSize = 2048
        let receiveRing: UInt64 = 0x10000
        let transmitRing: UInt64 = 0x20000
        let receiveBuffers: UInt64 = 0x100000
        var transmitBuffers: UInt64 { receiveBuffers + UInt64(descriptors * bufferSize) }
        var memorySize: Int { Int(transmitBuffers) + descriptors * bufferSize }
    }

    /// A guest with RAM for a receive and a transmit ring of `descriptors`
    /// descriptors each, and 2 KiB buffers; `inspector`, if given, sees every
    /// frame the guest takes.
    public init(descriptors: Int = 256, inspector: (@Sendable (UnsafeRawBufferPointer) -> Void)? = nil)
        throws(DeviceError)
    {
        self.inspector = inspector
        ring = RingLayout(descriptors: descriptors)
        ramSize = ring.memorySize
        guard let ram = mmap(nil, ramSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0),
            ram != MAP_FAILED
        else { throw DeviceError("could not map guest memory for the e1000 guest driver") }
        self.ram = ram
        memory = try GuestMemory(regions: [.init(guestAddress: 0, byteCount: ramSize, host: ram)])
        interrupt = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard interrupt >= 0 else { throw DeviceError("could not create the guest driver's interrupt eventfd") }
    }

    deinit {
        close(interrupt)
        munmap(ram, ramSize)
    }

    /// The memory and interrupt line to attach the NIC with.
    public var attachment: NICAttachment { NICAttachment(memory: memory, interruptLine: .eventfd(interrupt)) }

    private static let bar0: UInt64 = 0xFEBC_0000

    /// Programs the NIC as Linux's driver does on `ifup`: BAR0, bus mastering,
    /// both rings, broadcast and our own unicast address, 2 KiB buffers with
    /// the CRC stripped, and the interrupts NAPI wants.
    public func bringUp(_ nic: E1000) {
        nic.writeConfig(at: 0x10, width: 4, value: UInt32(Self.bar0))
        nic.writeConfig(at: 0x04, width: 2, value: 0x0006)
        for index in 0..<ring.descriptors {
            let descriptor = ram + Int(ring.receiveRing) + 16 * index
            descriptor.storeBytes(of: (ring.receiveBuffers + UInt64(index * ring.bufferSize)).littleEndian,
                as: UInt64.self)
            descriptor.storeBytes(of: UInt64(0), toByteOffset: 8, as: UInt64.self)
        }
        let write = { (register: Int, value: UInt32) in
            nic.writeRegister(at: register, width: 4, value: UInt64(value))
        }
        write(E1000Register.rdbal, UInt32(ring.receiveRing))
        write(E1000Register.rdbah, 0)
        write(E1000Register.rdlen, UInt32(16 * ring.descriptors))
        write(E1000Register.rdh, 0)
        write(E1000Register.rdt, UInt32(ring.descriptors - 1))
        write(E1000Register.tdbal, UInt32(ring.transmitRing))
        write(E1000Register.tdbah, 0)
        write(E1000Register.tdlen, UInt32(16 * ring.descriptors))
        write(E1000Register.tdh, 0)
        write(E1000Register.tdt, 0)
        write(E1000Register.tctl, 0x0004_010A)  // EN, PSP, CT 0x10
        write(E1000Register.ims, E1000Interrupt.rxt0 | E1000Interrupt.rxdmt0 | E1000Interrupt.rxo
            | E1000Interrupt.txdw | E1000Interrupt.lsc)
        write(E1000Register.rctl, E1000ReceiveControl.enable | E1000ReceiveControl.broadcastAccept
            | E1000ReceiveControl.stripCRC)
        nextToClean = 0
        nextToUse = 0
    }

    /// Takes up to `budget` received frames off the ring, then hands the
    /// descriptors back with one RDT write; returns how many it took.
    @discardableResult
    public func poll(_ nic: E1000, budget: Int) -> Int {
        var taken = 0
        var bytes: UInt64 = 0
        var next = nextToClean
        let descriptors = ring.descriptors
        let base = ram + Int(ring.receiveRing)
        while taken < budget {
            let descriptor = base + 16 * next
            let status = descriptor.load(fromByteOffset: 12, as: UInt8.self)
            guard status & E1000ReceiveStatus.done != 0 else { break }
            let length = UInt16(littleEndian: descriptor.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
            bytes += UInt64(length)
            if let inspector {
                let buffer = ram + Int(ring.receiveBuffers) + next * ring.bufferSize
                inspector(UnsafeRawBufferPointer(start: buffer, count: min(Int(length), ring.bufferSize)))
            }
            descriptor.storeBytes(of: UInt8(0), toByteOffset: 12, as: UInt8.self)
            next = next + 1 == descriptors ? 0 : next + 1
            taken += 1
        }
        nextToClean = next
        if taken > 0 {
            framesReceived.add(UInt64(taken), ordering: .relaxed)
            bytesReceived.add(bytes, ordering: .relaxed)
            // The descriptor before the next to clean is the last one the NIC may fill.
            let tail = (next + descriptors - 1) % descriptors
            nic.writeRegister(at: E1000Register.rdt, width: 4, value: UInt64(tail))
        }
        return taken
    }

    /// Queues one frame on the transmit ring and rings TDT; false when the
    /// ring is full.
    @discardableResult
    public func transmit(_ nic: E1000, frame: UnsafeRawBufferPointer) -> Bool {
        let head = Int(nic.readRegister(at: E1000Register.tdh, width: 4))
        guard (nextToUse + 1) % ring.descriptors != head, frame.count <= ring.bufferSize else { return false }
        let buffer = ring.transmitBuffers + UInt64(nextToUse * ring.bufferSize)
        (ram + Int(buffer)).copyMemory(from: frame.baseAddress!, byteCount: frame.count)
        let descriptor = ram + Int(ring.transmitRing) + 16 * nextToUse
        descriptor.storeBytes(of: buffer.littleEndian, as: UInt64.self)
        let command = E1000TransmitCommand.endOfPacket | E1000TransmitCommand.reportStatus | 0x0200_0000
            | UInt32(frame.count)
        descriptor.storeBytes(of: command.littleEndian, toByteOffset: 8, as: UInt32.self)
        descriptor.storeBytes(of: UInt32(0), toByteOffset: 12, as: UInt32.self)
        nextToUse = (nextToUse + 1) % ring.descriptors
        nic.writeRegister(at: E1000Register.tdt, width: 4, value: UInt64(nextToUse))
        return true
    }

    /// The driver's vCPU: waits for interrupts and polls until `stop()`.
    public func run(_ nic: E1000, budget: Int = 64) {
        bringUp(nic)
        var waiter = pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)
        while !stopRequested.load(ordering: .relaxed) {
            guard Glibc.poll(&waiter, 1, 100) > 0 else { continue }
            var count: UInt64 = 0
            _ = read(interrupt, &count, 8)
            _ = nic.readRegister(at: E1000Register.icr, width: 4)
            while poll(nic, budget: budget) == budget {}
        }
    }

    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }
}
