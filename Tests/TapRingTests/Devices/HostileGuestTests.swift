import Glibc
import Testing

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingHarness
@testable import TapRingOptions

/// One test per hostile-guest class of QEMU's e1000 CVE history: each attack
/// finishes (every loop is bounded), never touches memory outside guest RAM
/// (an inaccessible page on either side of it would fault the test), and
/// leaves the device answering and moving frames.
@Suite(.timeLimit(.minutes(1)))
struct HostileGuestTests {
    @Test func transmitChainsLongerThanTheBufferStopAt64KiB() throws {  // CVE-2012-0029
        let guest = try GuardedGuest()
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
        let guest = try GuardedGuest()
        guest.enableReceive(bufferSize: 256, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept | 0x3_0000)
        let frame = GuardedGuest.frame(length: 1600)
        guest.harness.inject(frame)
        guest.harness.inject(GuardedGuest.frame(length: 1522))
        guest.harness.service()
        // 1600 > 1522 without LPE: dropped and counted; 1522 fills six buffers exactly.
        #expect(guest.read(E1000Register.roc) == 1)
        #expect(guest.guestByte(at: 0x10_0000 + 8 * 256) == 0xAA, "a byte past the ring's buffers was written")
        try guest.expectStillWorking()
    }

    @Test func segmentationWithZeroHeaderAndMSSEnds() throws {  // CVE-2015-6815
        let guest = try GuardedGuest()
        guest.enableTransmit()
        guest.contextDescriptor(0, headerLength: 0, mss: 0)
        guest.transmitDescriptor(1, buffer: 0x20_0000, length: 1000, command: 0x2D, type: 0x2010_0000)
        guest.write(E1000Register.tdt, 2)
        _ = guest.harness.service()
        #expect(guest.read(E1000Register.tdh) == 2)
        try guest.expectStillWorking()
    }

    @Test func tinyOrZeroRingsWithHeadsOutsideAreBounded() throws {  // CVE-2016-1981
        let guest = try GuardedGuest()
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
        guest.harness.inject(GuardedGuest.frame(length: 64))
        guest.harness.service()
        #expect(guest.read(E1000Register.mpc) >= 1)
        try guest.expectStillWorking()
    }

    @Test func evilSegmentationContextsEnd() throws {  // CVE-2021-20257
        let guest = try GuardedGuest()
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
        let guest = try GuardedGuest()
        guest.write(E1000Register.mdic, 0x0420_0000 | 0x4140)  // PHY BMCR: loopback
        guest.enableTransmit()
        // Receive buffers point at the transmit ring: received frames become descriptors.
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept, buffers: GuardedGuest.transmitRing)
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.fillGuest(at: 0x20_0000, with: GuardedGuest.frame(length: 64))
        guest.transmitDescriptor(0, buffer: 0x20_0000, length: 64, command: 0x0B)
        guest.write(E1000Register.tdt, 1)
        _ = guest.harness.service()
        try guest.expectStillWorking()
    }

    @Test func dmaAtTheDevicesOwnRegistersGoesNowhere() throws {  // CVE-2023-3019
        let guest = try GuardedGuest()
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept, buffers: GuardedGuest.bar0 + UInt64(E1000Register.tdt))
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.harness.inject(GuardedGuest.frame(length: 64))
        guest.harness.service()
        #expect(guest.read(E1000Register.tdt) == 0, "a frame landed in the device's registers")
        #expect(guest.harness.nic.refusedDMA > 0)
        try guest.expectStillWorking()
    }

    @Test func framesAtQEMUsLengthLimitsPass() throws {  // CVE-2018-17963
        let guest = try GuardedGuest()
        guest.enableReceive(bufferSize: 16384, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept | E1000ReceiveControl.longPackets
            | E1000ReceiveControl.storeBadPackets | E1000ReceiveControl.bufferSizeExtension | 0x1_0000)
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.harness.inject(GuardedGuest.frame(length: 65535))
        guest.harness.service()
        #expect(guest.read(E1000Register.rdh) == 5)
        try guest.expectStillWorking()
    }

    @Test func descriptorsAndBuffersOutsideRAMAreRefused() throws {
        let guest = try GuardedGuest()
        // Ring past the end of RAM, then a buffer straddling it.
        guest.enableReceive(bufferSize: 2048, descriptors: 8, control: E1000ReceiveControl.enable
            | E1000ReceiveControl.broadcastAccept, buffers: UInt64(GuardedGuest.ramSize) - 16)
        guest.harness.service(now: monotonicClock() + 2_000_000_000)
        guest.harness.inject(GuardedGuest.frame(length: 64))
        guest.harness.service()
        guest.write(E1000Register.rdbal, UInt32(GuardedGuest.ramSize) + 0x1000)
        guest.harness.inject(GuardedGuest.frame(length: 64))
        guest.harness.service()
        guest.enableTransmit()
        guest.transmitDescriptor(0, buffer: UInt64(GuardedGuest.ramSize) - 8, length: 64, command: 0x0B)
        guest.write(E1000Register.tdt, 1)
        _ = guest.harness.service()
        #expect(guest.harness.nic.refusedDMA >= 3)
        try guest.expectStillWorking()
    }
}
