import Glibc
import Testing

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingOptions

/// Guest RAM between two inaccessible pages, an e1000 on it, and the
/// register and ring programming a hostile guest needs. Threads may share
/// it when they keep to the NIC's threading contract: the harness from one
/// thread only, registers from any.
final class GuardedGuest: @unchecked Sendable {
    static let ramSize = 4 << 20
    static let bar0: UInt64 = 0xFEBC_0000
    static let receiveRing: UInt64 = 0x1_0000
    static let transmitRing: UInt64 = 0x2_0000
    private static let page = 4096

    let harness: InMemoryNIC
    private let mapping: UnsafeMutableRawPointer
    private let ram: UnsafeMutableRawPointer

    /// Arena slots big enough for a 64 KiB TSO frame by default; with large
    /// slots, the NIC sends TSO packets as GSO frames. `servicedFromAnotherThread`:
    /// the harness plays a reactor on a thread of its own.
    init(slotSize: Int = FrameArena.largeSlotSize, slotCount: Int = 64, largeSlotCount: Int = 0,
         servicedFromAnotherThread: Bool = false) throws {
        mapping = mmap(nil, Self.ramSize + 2 * Self.page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        ram = mapping + Self.page
        mprotect(ram, Self.ramSize, PROT_READ | PROT_WRITE)
        ram.initializeMemory(as: UInt8.self, repeating: 0xAA, count: Self.ramSize)
        let memory = try GuestMemory(regions: [.init(guestAddress: 0, byteCount: Self.ramSize, host: ram)])
        harness = try InMemoryNIC(memory: memory, interruptLine: .callback { _ in }, slotSize: slotSize,
                                  slotCount: slotCount, largeSlotCount: largeSlotCount, queueCapacity: 64,
                                  servicedFromAnotherThread: servicedFromAnotherThread)
        harness.nic.writeConfig(at: 0x10, width: 4, value: UInt32(Self.bar0))
        harness.nic.writeConfig(at: 0x04, width: 2, value: 0x6)
    }

    deinit {
        munmap(mapping, Self.ramSize + 2 * Self.page)
    }

    static func frame(length: Int) -> [UInt8] {
        let header: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 0, 1, 0x88, 0xB5]
        return header + (0..<max(0, length - header.count)).map { UInt8(truncatingIfNeeded: $0) }
    }

    func write(_ register: Int, _ value: UInt32) {
        harness.nic.writeRegister(at: register, width: 4, value: UInt64(value))
    }

    func read(_ register: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: harness.nic.readRegister(at: register, width: 4))
    }

    func guestByte(at address: Int) -> UInt8 { ram.load(fromByteOffset: address, as: UInt8.self) }

    func fillGuest(at address: UInt64, with bytes: [UInt8]) {
        bytes.withUnsafeBytes { (ram + Int(address)).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    }

    func enableReceive(bufferSize: Int, descriptors: Int, control: UInt32, buffers: UInt64 = 0x10_0000) {
        for index in 0..<descriptors {
            let descriptor = ram + Int(Self.receiveRing) + 16 * index
            descriptor.storeBytes(of: buffers + UInt64(index * bufferSize), as: UInt64.self)
            descriptor.storeBytes(of: UInt64(0), toByteOffset: 8, as: UInt64.self)
        }
        write(E1000Register.rdbal, UInt32(Self.receiveRing))
        write(E1000Register.rdlen, UInt32(16 * descriptors))
        write(E1000Register.rdh, 0)
        write(E1000Register.rdt, UInt32(descriptors - 1))
        write(E1000Register.rctl, control)
        harness.service(now: monotonicClock() + 2_000_000_000)
    }

    func enableTransmit() {
        write(E1000Register.tdbal, UInt32(Self.transmitRing))
        write(E1000Register.tdlen, 16 * 64)
        write(E1000Register.tdh, 0)
        write(E1000Register.tdt, 0)
        write(E1000Register.tctl, 0x2)
    }

    func transmitDescriptor(_ index: Int, buffer: UInt64, length: UInt32, command: UInt8, type: UInt32 = 0) {
        let descriptor = ram + Int(Self.transmitRing) + 16 * index
        descriptor.storeBytes(of: buffer, as: UInt64.self)
        descriptor.storeBytes(of: UInt32(command) << 24 | type | length, toByteOffset: 8, as: UInt32.self)
        descriptor.storeBytes(of: UInt32(0), toByteOffset: 12, as: UInt32.self)
    }

    /// Sets POPTS of data descriptor `index`.
    func setOptions(_ index: Int, _ options: UInt8) {
        (ram + Int(Self.transmitRing) + 16 * index).storeBytes(of: options, toByteOffset: 13, as: UInt8.self)
    }

    /// A descriptor of eight given bytes, then its command, byte 13 (HDRLEN or POPTS) and special field.
    func rawDescriptor(_ index: Int, _ bytes: [UInt8], command: UInt32, byte13: UInt8, special: UInt16) {
        let descriptor = ram + Int(Self.transmitRing) + 16 * index
        for (offset, byte) in bytes.enumerated() {
            descriptor.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        }
        descriptor.storeBytes(of: command, toByteOffset: 8, as: UInt32.self)
        descriptor.storeBytes(of: UInt8(0), toByteOffset: 12, as: UInt8.self)
        descriptor.storeBytes(of: byte13, toByteOffset: 13, as: UInt8.self)
        descriptor.storeBytes(of: special, toByteOffset: 14, as: UInt16.self)
    }

    func contextDescriptor(_ index: Int, headerLength: UInt8, mss: UInt16,
                           checksumOffsets: (start: UInt8, offset: UInt8, end: UInt16) = (14, 24, 33)) {
        let descriptor = ram + Int(Self.transmitRing) + 16 * index
        descriptor.storeBytes(of: checksumOffsets.start, as: UInt8.self)
        descriptor.storeBytes(of: checksumOffsets.offset, toByteOffset: 1, as: UInt8.self)
        descriptor.storeBytes(of: checksumOffsets.end, toByteOffset: 2, as: UInt16.self)
        descriptor.storeBytes(of: UInt32(0x22_3300), toByteOffset: 4, as: UInt32.self)
        descriptor.storeBytes(of: UInt32(0x2D00_0000) | 1000, toByteOffset: 8, as: UInt32.self)  // DEXT TSE IP TCP RS
        descriptor.storeBytes(of: headerLength, toByteOffset: 13, as: UInt8.self)
        descriptor.storeBytes(of: mss, toByteOffset: 14, as: UInt16.self)
    }

    /// The device still has its identity, and a normal frame still goes out
    /// and comes in.
    func expectStillWorking() throws {
        #expect(read(E1000Register.status) == 0x8008_0783)
        write(E1000Register.mdic, 0x0420_0000 | 0x1140)  // loopback off
        enableTransmit()
        fillGuest(at: 0x30_0000, with: Self.frame(length: 60))
        transmitDescriptor(0, buffer: 0x30_0000, length: 60, command: 0x0B)
        write(E1000Register.tdt, 1)
        let sent = harness.service()
        #expect(sent.last == Self.frame(length: 60))
        enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept)
        _ = read(E1000Register.gprc)  // statistics clear on read
        harness.inject(Self.frame(length: 64))
        harness.service()
        #expect(read(E1000Register.gprc) == 1)
    }
}
