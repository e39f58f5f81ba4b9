import Foundation
import Glibc
import Testing

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingQTest
@testable import TapRingOptions

/// What the fuzz targets of `Fuzz/` found, one test each: the input the
/// fuzzer found (`Tests/Fixtures/fuzz/`), replayed through its entry point
/// (under AddressSanitizer, `swift test --sanitize=address`, the arena's red
/// zones report it again if it comes back), and the guest it describes.
@Suite(.timeLimit(.minutes(1)))
struct FuzzRegressionTests {
    /// FuzzFrames: a 65535-byte packet with checksum offload in a 2048-byte
    /// slot, the engine's default, outgrows the slot and is not sent; its
    /// checksum was still summed over all 65535 bytes, far past the slot.
    @Test func checksumOfAPacketThatOutgrewItsSlotStaysInTheSlot() throws {
        try replay(FuzzEntryPoints.probeFrame, "frames-checksum-past-slot")
        let guest = try GuardedGuest(slotSize: 2048)
        guest.enableTransmit()
        // A DEXT data descriptor, EOP and RS, POPTS IXSM|TXSM, no context: sums from byte 0.
        guest.transmitDescriptor(0, buffer: 0x20_0000, length: 0xFFFF, command: 0x29, type: 0x0010_0000)
        guest.fillGuest(at: GuardedGuest.transmitRing + 13, with: [0x03])
        _ = guest.read(E1000Register.gptc)
        guest.write(E1000Register.tdt, 1)
        #expect(guest.harness.service().isEmpty)
        #expect(guest.read(E1000Register.gptc) == 1)
        try guest.expectStillWorking()

        // The sum itself, over a slot that ends where memory does.
        try withSlotAtTheEndOfMemory(capacity: 2032) { slot in
            PacketBytes(slot, capacity: 2032).insertChecksum(size: 65535, at: 0, start: 0, end: 0)
        }
    }

    /// FuzzE1000: a ring of 65,408 descriptors, TSO with an MSS of a few
    /// bytes and descriptors of up to 64 KiB: one TDT write asked for 21
    /// million segments, cut one by one for most of a minute with the NIC's
    /// lock held. A doorbell now cuts at most `segmentsPerDoorbell`.
    @Test func oneDoorbellCutsABoundedNumberOfSegments() throws {
        let start = monotonicClock()
        try replay(FuzzEntryPoints.runE1000Program, "e1000-tiny-mss-huge-ring")
        #expect(monotonicClock() - start < 10_000_000_000)

        let guest = try GuardedGuest(slotCount: 512)
        guest.enableTransmit()
        guest.write(E1000Register.tdlen, 16 * 4096)
        guest.harness.service()
        // A TSO context with MSS 1, then 4,000 descriptors of 60,000 bytes each.
        guest.contextDescriptor(0, headerLength: 54, mss: 1)
        for index in 1..<4001 {
            guest.transmitDescriptor(index, buffer: 0x20_0000, length: 60_000, command: index % 2 == 0 ? 0x2D : 0x24,
                                     type: 0x0010_0000)
        }
        _ = guest.read(E1000Register.tpt)
        let doorbell = monotonicClock()
        guest.write(E1000Register.tdt, 4001)
        #expect(monotonicClock() - doorbell < 5_000_000_000)
        #expect(guest.read(E1000Register.tdh) == 4001)
        // The budget's segments, then each later packet once.
        #expect(guest.read(E1000Register.tpt) <= UInt32(E1000Core.segmentsPerDoorbell) + 2000)
        // The segments out and their slots back, then spare slots in again.
        guest.harness.service()
        guest.harness.service()
        try guest.expectStillWorking()
    }

    /// FuzzFrames: TSO headers of 255 bytes with 192-byte slots, the smallest
    /// the engine takes (176 bytes of frame): the headers were saved by
    /// reading past the first segment's slot, and written whole into the slot
    /// of each segment after it, over the start of the next slot.
    @Test func segmentationHeadersLongerThanASlotStayInTheirSlots() throws {
        try replay(FuzzEntryPoints.probeFrame, "frames-tso-header-past-slot")
        let guest = try GuardedGuest(slotSize: 192)
        let marks = markSlotStarts(of: guest)
        guest.enableTransmit()
        guest.contextDescriptor(0, headerLength: 255, mss: 100)
        guest.transmitDescriptor(1, buffer: 0x20_0000, length: 1000, command: 0x2D, type: 0x2010_0000)
        guest.write(E1000Register.tdt, 2)
        #expect(guest.harness.service().isEmpty)
        #expect(untouched(marks))
        try guest.expectStillWorking()
    }

    /// FuzzFrames: with 192-byte slots (176 bytes of frame), the 272 bytes of
    /// QEMU's packet buffer the NIC keeps between packets were put back
    /// behind a short packet, and read again, past the end of its slot.
    @Test func packetBufferLeadStaysInSmallSlots() throws {
        try replay(FuzzEntryPoints.probeFrame, "frames-lead-past-small-slot")
        let guest = try GuardedGuest(slotSize: 192)
        let marks = markSlotStarts(of: guest)
        guest.enableTransmit()
        guest.harness.service()  // the slots a reactor supplies
        guest.fillGuest(at: 0x20_0000, with: GuardedGuest.frame(length: 60))
        guest.transmitDescriptor(0, buffer: 0x20_0000, length: 60, command: 0x09)
        guest.write(E1000Register.tdt, 1)
        #expect(guest.harness.service().count == 1)
        #expect(untouched(marks))
        try guest.expectStillWorking()
    }

    /// FuzzQTest: a `read` of 16 MiB, the most the server takes, built its
    /// answer from a string per byte and took half a minute (QEMU answers at
    /// once); the fuzzer's 10 s limit called it a hang.
    @Test func largestQTestReadIsAnsweredQuickly() throws {
        let started = ContinuousClock.now
        try replay(FuzzEntryPoints.serveQTest, "qtest-read-16mib")
        #expect(ContinuousClock.now - started < .seconds(10))
        let answers = QTestAnswers()
        let machine = try QTestMachine(megabytes: 1) { answers.lines.append($0) }
        machine.handle("write 0x10 0x3 0xa5017f")
        machine.handle("read 0xf 0x5")
        machine.handle("read 0x0 0x1000000")
        #expect(answers.lines.prefix(2) == ["OK\n", "OK 0x00a5017f00\n"])
        // The bytes written, the firmware's HLT bytes in its last 64 KiB
        // below 1 MiB, zeros elsewhere (compared whole: a failure would
        // otherwise print 32 MiB of hex).
        let expected = "OK 0x" + String(repeating: "0", count: 0x20) + "a5017f"
            + String(repeating: "0", count: 2 * 0xF_0000 - 0x26) + String(repeating: "f4", count: 0x1_0000)
            + String(repeating: "0", count: (1 << 25) - 2 * 0x10_0000) + "\n"
        let answeredAsQEMU = answers.lines.last == expected
        #expect(answeredAsQEMU)
    }

    /// FuzzSegmenter: an IPv6 TCP GSO frame whose checksum start, taken as
    /// where the TCP header begins, lies inside the IPv6 header: the payload
    /// length of a short segment came out negative and trapped the reactor.
    @Test func ipv6TransportHeaderInsideTheIPv6HeaderIsMalformed() throws {
        try replay(FuzzEntryPoints.segmentFrame, "segmenter-ipv6-transport-inside-header")
        var header = VirtioNetHeader()
        header.flags = VirtioNetHeader.needsChecksum
        header.gsoType = VirtioNetHeader.gsoTCPv6
        header.gsoSize = 100
        header.checksumStart = 14 + 36
        header.checksumOffset = 16
        var frame = [UInt8](repeating: 0, count: 200)
        frame[12] = 0x86
        frame[13] = 0xDD
        frame.withUnsafeBytes { frame in
            let segments = Segmenter(frame: frame.baseAddress!, length: frame.count, header: header)
            #expect(segments.isMalformed)
            #expect(segments.upcomingLength == nil)
        }
    }

    /// A GSO frame larger than an IP packet can be, cut into one segment of
    /// it all: its IPv4 total length does not fit 16 bits and trapped; it is
    /// truncated, as the kernel's `htons()` truncates it.
    @Test func segmentLengthsBeyond16BitsAreTruncated() throws {
        var header = VirtioNetHeader()
        header.gsoType = VirtioNetHeader.gsoTCPv4
        header.gsoSize = 0xFFFF
        var frame = [UInt8](repeating: 0, count: 14 + 20 + 20 + 67000)
        frame[12] = 0x08
        frame[14] = 0x45
        frame[14 + 20 + 12] = 0x50
        var input = [UInt8](repeating: 0, count: TapDevice.vnetHeaderBytes)
        input.withUnsafeMutableBytes { header.store(at: $0.baseAddress!) }
        replay(FuzzEntryPoints.segmentFrame, input + frame)
        let room = FrameArena.largeSlotSize - FrameArena.headroom
        let segment = UnsafeMutableRawPointer.allocate(byteCount: room, alignment: 16)
        defer { segment.deallocate() }
        let length = frame.withUnsafeBytes { frame in
            var segments = Segmenter(frame: frame.baseAddress!, length: frame.count, header: header)
            return segments.next(into: segment, capacity: room)
        }
        #expect(length == 14 + 20 + 20 + 0xFFFF)
        #expect(UInt16(bigEndian: segment.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
            == UInt16(truncatingIfNeeded: 20 + 20 + 0xFFFF))
    }

    /// FuzzE1000: a TSO packet gathered whole for a GSO frame, whose guest
    /// sent far more than its context's payload length: the large slot
    /// filled, and its segments were counted from the bytes in the slot,
    /// the last ones at negative sizes, which trapped. They are counted from
    /// the cuts, as QEMU sends them, and the packet, which no GSO frame can
    /// hold, is dropped.
    @Test func aGatheredPacketPastItsContextIsCountedAsQEMUSendsIt() throws {
        try replay(FuzzEntryPoints.runE1000Program, "e1000-coalesced-past-capacity")
        let bytes = TSOCoalescingTests.tsoPacket(payload: 70_000)
        func send(on guest: GuardedGuest) -> [[UInt8]] {
            guest.enableTransmit()
            guest.harness.service()
            guest.fillGuest(at: TSOCoalescingTests.packet, with: bytes)
            // The context claims 10,000 bytes of payload, so the packet is gathered whole.
            TSOCoalescingTests.writeContext(on: guest, payload: 10_000)
            var index = 1
            for offset in stride(from: 0, to: bytes.count, by: 8192) {
                let length = min(8192, bytes.count - offset)
                guest.transmitDescriptor(index, buffer: TSOCoalescingTests.packet + UInt64(offset),
                                         length: UInt32(length), command: offset + length == bytes.count ? 0x2D : 0x24,
                                         type: 0x0010_0000)
                guest.setOptions(index, 0x3)
                index += 1
            }
            guest.write(E1000Register.tdt, UInt32(index))
            return guest.harness.service()
        }
        let plain = try GuardedGuest(slotCount: 128)
        #expect(send(on: plain).count == (70_000 + TSOCoalescingTests.mss - 1) / TSOCoalescingTests.mss)
        let coalescing = try GuardedGuest(largeSlotCount: 4)
        #expect(send(on: coalescing).isEmpty)
        for register in TSOCoalescingTests.counters {
            #expect(coalescing.read(register) == plain.read(register), "register \(register)")
        }
        try coalescing.expectStillWorking()
    }

    /// FuzzRemote: a VM side that sends far more requests than it reads
    /// replies to, among them one over the payload limit. The server ended
    /// the connection but kept its socket open, so the VM's next request
    /// waited forever, as QEMU's proxy would (it has no timeout). The server
    /// now shuts its socket down as it ends: the proxy sees the end of the
    /// stream and gives its guest all-ones.
    @Test func aServerThatEndsShutsItsSocketDown() throws {
        try replay(FuzzEntryPoints.serveRemote, "remote-server-ended-socket-open")
    }

    /// Marks the first 12 bytes of every slot's headroom of `guest`'s arena,
    /// where nothing on the NIC's path writes, and returns where they are.
    private func markSlotStarts(of guest: GuardedGuest) -> [UnsafeMutableRawPointer] {
        let arena = guest.harness.arena.memory
        let marks = stride(from: 0, to: arena.count, by: guest.harness.arena.slotSize).map { arena.baseAddress! + $0 }
        for mark in marks { mark.initializeMemory(as: UInt8.self, repeating: 0x5A, count: 12) }
        return marks
    }

    /// Whether every mark `markSlotStarts` made is as it left it.
    private func untouched(_ marks: [UnsafeMutableRawPointer]) -> Bool {
        marks.allSatisfy { mark in (0..<12).allSatisfy { mark.load(fromByteOffset: $0, as: UInt8.self) == 0x5A } }
    }

    /// Runs the fuzz input `name` of `Tests/Fixtures/fuzz/`.
    private func replay(_ target: (UnsafeRawBufferPointer) -> Void, _ name: String) throws {
        replay(target, [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name))))
    }

    /// Runs one fuzz input.
    private func replay(_ target: (UnsafeRawBufferPointer) -> Void, _ input: [UInt8]) {
        input.withUnsafeBytes(target)
    }

    private static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz")

    /// Calls `body` with the last `capacity` bytes before an inaccessible page.
    private func withSlotAtTheEndOfMemory(capacity: Int, _ body: (UnsafeMutableRawPointer) -> Void) throws {
        let page = 4096, size = (capacity + page - 1) / page * page
        let mapping = try #require(mmap(nil, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(mapping, size + page) }
        mprotect(mapping + size, page, PROT_NONE)
        body(mapping + size - capacity)
    }
}
