import Glibc
import Testing

@_spi(Benchmarks) @testable import TapRing

/// One test per hostile-guest class of QEMU's e1000 CVE history: each attack
/// finishes (every loop is bounded), never touches memory outside guest RAM
/// (an inaccessible page on either side of it would fault the test), and
/// leaves the device answering and moving frames.
@Suite(.timeLimit(.minutes(1)))
struct HostileGuestTests {
    @Test func transmitChainsLongerThanTheBufferStopAt64KiB() throws {  // CVE-2012-0029
        let guest = try HostileGuest()
        guest.enableTransmit()
        // 40 descriptors of 4 KiB without EOP, then EOP: 164 KiB for a 64 KiB buffer.
        for index in 0..<41 {
            guest.transmitDescriptor(index, buffer: 0x20_0000, length: 4096, command: index == 40 ? 0x0B : 0x08)
        }
        guest.write(E1000Register.tdt, 41)
        let sent = guest.harness.service()
        #expect(sent.allSatisfy { $0.count <= 65536 })
        try guest.expectStillWorking()
    }

    @Test func oversizeFramesNeverOverrunReceiveBuffers() throws {  // CVE-2012-6075
        let guest = try HostileGuest()
        guest.enableReceive(bufferSize: 256, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept | 0x3_0000)
        let frame = HostileGuest.frame(length: 1600)
        guest.harness.inject(frame)
        guest.harness.inject(HostileGuest.frame(length: 1522))
        guest.harness.service()
        // 1600 > 1522 without LPE: dropped and counted; 1522 fills six buffers exactly.
        #expect(guest.read(E1000Register.roc) == 1)
        #expect(guest.guestByte(at: 0x10_0000 + 8 * 256) == 0xAA, "a byte past the ring's buffers was written")
        try guest.expectStillWorking()
    }

    @Test func segmentationWithZeroHeaderAndMSSEnds() throws {  // CVE-2015-6815
        let guest = try HostileGuest()
        guest.enableTransmit()
        guest.contextDescriptor(0, headerLength: 0, mss: 0)
        guest.transmitDescriptor(1, buffer: 0x20_0000, length: 1000, command: 0x2D, type: 0x2010_0000)
        guest.write(E1000Register.tdt, 2)
        _ = guest.harness.service()
        #expect(guest.read(E1000Register.tdh) == 2)
        try guest.expectStillWorking()
    }

    @Test func tinyOrZeroRingsWithHeadsOutsideAreBounded() throws {  // CVE-2016-1981
        let guest = try HostileGuest()
        guest.enableTransmit()
        for length: UInt32 in [0, 16] {
            guest.write(E1000Register.tdlen, length)
            guest.write(E1000Register.tdh, 500)
            guest.write(E1000Register.tdt, 9)
        }
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept)
        guest.write(E1000Register.rdlen, 0)
        guest.write(E1000Register.rdh, 40)
        guest.write(E1000Register.rdt, 3)
        guest.harness.inject(HostileGuest.frame(length: 64))
        guest.harness.service()
        #expect(guest.read(E1000Register.mpc) >= 1)
        try guest.expectStillWorking()
    }

    @Test func evilSegmentationContextsEnd() throws {  // CVE-2021-20257
        let guest = try HostileGuest()
        guest.enableTransmit()
        // hdr_len 255 and mss 1 over a 64 KiB chain, offsets past the frame, paylen 0.
        guest.contextDescriptor(0, headerLength: 255, mss: 1, checksumOffsets: (250, 254, 255))
        for index in 1..<20 {
            guest.transmitDescriptor(index, buffer: 0x20_0000, length: 4000, command: index == 19 ? 0x2D : 0x2C,
                                     type: 0x2010_0000)
        }
        guest.write(E1000Register.tdt, 20)
        let sent = guest.harness.service()
        #expect(sent.allSatisfy { $0.count <= 65536 })
        try guest.expectStillWorking()
    }

    @Test func loopbackIntoOwnTransmitRingIsBounded() throws {  // CVE-2021-3416
        let guest = try HostileGuest()
        guest.write(E1000Register.mdic, 0x0420_0000 | 0x4140)  // PHY BMCR: loopback
        guest.enableTransmit()
        // Receive buffers point at the transmit ring: received frames become descriptors.
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept, buffers: HostileGuest.transmitRing)
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.fillGuest(at: 0x20_0000, with: HostileGuest.frame(length: 64))
        guest.transmitDescriptor(0, buffer: 0x20_0000, length: 64, command: 0x0B)
        guest.write(E1000Register.tdt, 1)
        _ = guest.harness.service()
        try guest.expectStillWorking()
    }

    @Test func dmaAtTheDevicesOwnRegistersGoesNowhere() throws {  // CVE-2023-3019
        let guest = try HostileGuest()
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept, buffers: HostileGuest.bar0 + UInt64(E1000Register.tdt))
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.harness.inject(HostileGuest.frame(length: 64))
        guest.harness.service()
        #expect(guest.read(E1000Register.tdt) == 0, "a frame landed in the device's registers")
        #expect(guest.harness.nic.refusedDMA > 0)
        try guest.expectStillWorking()
    }

    @Test func framesAtQEMUsLengthLimitsPass() throws {  // CVE-2018-17963
        let guest = try HostileGuest()
        guest.enableReceive(bufferSize: 16384, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept | E1000ReceiveControl.longPackets | E1000ReceiveControl.storeBadPackets
            | E1000ReceiveControl.bufferSizeExtension | 0x1_0000)
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.harness.inject(HostileGuest.frame(length: 65535))
        guest.harness.service()
        #expect(guest.read(E1000Register.rdh) == 5)
        try guest.expectStillWorking()
    }

    @Test func descriptorsAndBuffersOutsideRAMAreRefused() throws {
        let guest = try HostileGuest()
        // Ring past the end of RAM, then a buffer straddling it.
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept, buffers: UInt64(HostileGuest.ramSize) - 16)
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.harness.inject(HostileGuest.frame(length: 64))
        guest.harness.service()
        guest.write(E1000Register.rdbal, UInt32(HostileGuest.ramSize) + 0x1000)
        guest.harness.inject(HostileGuest.frame(length: 64))
        guest.harness.service()
        guest.enableTransmit()
        guest.transmitDescriptor(0, buffer: UInt64(HostileGuest.ramSize) - 8, length: 64, command: 0x0B)
        guest.write(E1000Register.tdt, 1)
        _ = guest.harness.service()
        #expect(guest.harness.nic.refusedDMA >= 3)
        try guest.expectStillWorking()
    }
}

/// Guest RAM between two inaccessible pages, an e1000 on it, and the
/// register and ring programming a hostile guest needs.
final class HostileGuest {
    static let ramSize = 4 << 20
    static let bar0: UInt64 = 0xFEBC_0000
    static let receiveRing: UInt64 = 0x1_0000
    static let transmitRing: UInt64 = 0x2_0000
    private static let page = 4096

    let harness: InMemoryNIC
    private let mapping: UnsafeMutableRawPointer
    private let ram: UnsafeMutableRawPointer

    init() throws {
        mapping = mmap(nil, Self.ramSize + 2 * Self.page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        ram = mapping + Self.page
        mprotect(ram, Self.ramSize, PROT_READ | PROT_WRITE)
        ram.initializeMemory(as: UInt8.self, repeating: 0xAA, count: Self.ramSize)
        let memory = try GuestMemory(regions: [.init(guestAddress: 0, byteCount: Self.ramSize, host: ram)])
        harness = try InMemoryNIC(memory: memory, interruptLine: .callback { _ in }, slotSize: 69760, slotCount: 64,
                                  queueCapacity: 64)
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
