import Testing

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingOptions

/// A guest's TSO packet toward taps with a vnet header: one GSO frame, which
/// the kernel's segmentation (here the hub's own `Segmenter`) cuts into the
/// very segments QEMU's e1000 sends, counted as QEMU counts them.
struct TSOCoalescingTests {
    static let packet: UInt64 = 0x20_0000
    static let mss = 1448

    /// Ethernet, IPv4 and TCP headers as Linux's e1000 driver leaves them
    /// for TSO (`e1000_tso`): total length and IP checksum 0, the TCP
    /// checksum field the pseudo-header sum without a length; then `payload`
    /// bytes.
    static func tsoPacket(payload: Int, flags: UInt8 = 0x18) -> [UInt8] {
        var bytes: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
        bytes += [0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
        // 10.0.0.1 + 10.0.0.2 + protocol 6, folded.
        let pseudo: UInt16 = 0x0A00 + 0x0001 + 0x0A00 + 0x0002 + 6
        bytes += [0x30, 0x39, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0, 1, 0x50, flags, 0xFF, 0xFF]
        bytes += [UInt8(pseudo >> 8), UInt8(pseudo & 0xFF), 0, 0]
        return bytes + (0..<payload).map { UInt8(truncatingIfNeeded: $0 * 7) }
    }

    /// Puts the packet on the ring as a TSO context and data descriptors of
    /// at most 4 KiB, rings TDT, and returns what the NIC sent.
    static func transmit(_ bytes: [UInt8], on guest: GuardedGuest) -> [[UInt8]] {
        guest.enableTransmit()
        guest.harness.service()  // spare slots in
        guest.fillGuest(at: packet, with: bytes)
        let payload = bytes.count - 54
        writeContext(on: guest, payload: payload)
        var index = 1
        for offset in stride(from: 0, to: bytes.count, by: 4096) {
            let length = min(4096, bytes.count - offset)
            let last = offset + length == bytes.count
            // DEXT, TSE, and EOP with RS on the last; IXSM and TXSM.
            guest.transmitDescriptor(index, buffer: packet + UInt64(offset), length: UInt32(length),
                                     command: last ? 0x2D : 0x24, type: 0x0010_0000)
            guest.setOptions(index, 0x3)
            index += 1
        }
        guest.write(E1000Register.tdt, UInt32(index))
        return guest.harness.service()
    }

    static func writeContext(on guest: GuardedGuest, payload: Int) {
        // IPCSS 14, IPCSO 24, IPCSE 33; TUCSS 34, TUCSO 50, TUCSE 0;
        // DEXT TSE IP TCP RS with PAYLEN; HDRLEN 54; MSS.
        guest.rawDescriptor(0, [14, 24, 33, 0, 34, 50, 0, 0], command: 0x2F00_0000 | UInt32(payload), byte13: 54,
                            special: UInt16(mss))
    }

    static let counters = [E1000Register.tpt, E1000Register.gptc, E1000Register.gotcl, E1000Register.totl,
                           E1000Register.tsctc, E1000Register.bptc, E1000Register.mptc, E1000Register.ptc64]
        + (1...5).map { E1000Register.ptc64 + 4 * $0 }

    @Test(arguments: [10_000, 4 * mss, 60_000])
    func oneGSOFrameCutsIntoQEMUsSegments(payload: Int) throws {
        let bytes = Self.tsoPacket(payload: payload)
        // Spare slots for every segment of a 64 KiB packet.
        let plain = try GuardedGuest(slotCount: 128)
        let segments = Self.transmit(bytes, on: plain)
        let coalescing = try GuardedGuest(largeSlotCount: 4)
        let sent = Self.transmit(bytes, on: coalescing)
        // A payload that is a multiple of the MSS ends, in QEMU, with a
        // segment of headers alone, which leaves on its own.
        let headerOnly = payload % Self.mss == 0
        #expect(segments.count == (payload + Self.mss - 1) / Self.mss + (headerOnly ? 1 : 0))
        #expect(sent.count == (headerOnly ? 2 : 1))
        let gso = try #require(sent.first)
        #expect(gso.count == bytes.count)
        let header = coalescing.harness.transmittedHeaders[0]
        // NEEDS_CSUM, TCPV4, hdr_len 54, gso_size, csum_start 34, csum_offset 16.
        #expect(header == [1, 1, 54, 0, UInt8(Self.mss & 0xFF), UInt8(Self.mss >> 8), 34, 0, 16, 0, 0, 0])
        let virtio = header.withUnsafeBytes { VirtioNetHeader(at: $0.baseAddress!) }
        let cutAsQEMUCuts = SegmenterTests.segments(of: gso, header: virtio) + sent.dropFirst() == segments
        #expect(cutAsQEMUCuts)
        if headerOnly {
            #expect(coalescing.harness.transmittedHeaders[1] == [UInt8](repeating: 0, count: 12))
        }
        for register in Self.counters {
            #expect(coalescing.read(register) == plain.read(register), "register \(register)")
        }
        #expect(coalescing.read(E1000Register.tdh) == plain.read(E1000Register.tdh))
    }

    @Test func withoutALargeSlotThePacketLeavesInSegments() throws {
        let bytes = Self.tsoPacket(payload: 5000)
        let guest = try GuardedGuest(largeSlotCount: 1)
        #expect(Self.transmit(bytes, on: guest).count == 1)
        // The one large slot is back; TDH wraps to the same ring again.
        #expect(Self.transmit(bytes, on: guest).count == 1)
    }

    @Test func plainDataAmidAGatheredPacketIsCountedAndDropped() throws {
        let bytes = Self.tsoPacket(payload: 5000)
        let guest = try GuardedGuest(largeSlotCount: 4)
        guest.enableTransmit()
        guest.harness.service()
        guest.fillGuest(at: Self.packet, with: bytes)
        Self.writeContext(on: guest, payload: 5000)
        guest.transmitDescriptor(1, buffer: Self.packet, length: 3000, command: 0x24, type: 0x0010_0000)
        guest.setOptions(1, 0x3)
        guest.transmitDescriptor(2, buffer: Self.packet + 3000, length: UInt32(bytes.count - 3000), command: 0x09)
        guest.write(E1000Register.tdt, 3)
        #expect(guest.harness.service().isEmpty)
        #expect(guest.read(E1000Register.tdh) == 3)
        try guest.expectStillWorking()
    }

    /// Contexts that lie about the payload, MSS or header length, data that
    /// stops short or runs long: every packet ends, within the slot, and the
    /// device still works. (FuzzE1000 gives some of its NICs large slots too.)
    @Test(arguments: [0, 4]) func lyingContextsStayBounded(largeSlots: Int) throws {
        var random = SeededGenerator(seed: 0x7A9E)
        let guest = try GuardedGuest(largeSlotCount: largeSlots)
        var gathered = 0
        for _ in 0..<300 {
            let bytes = Self.tsoPacket(payload: Int.random(in: 0...70_000, using: &random))
            guest.enableTransmit()
            guest.harness.service()
            guest.fillGuest(at: Self.packet, with: bytes)
            // Mostly near the truth, so that most packets are gathered whole.
            let honest = Int.random(in: 0..<4, using: &random) != 0
            let claimed = honest ? UInt32(max(0, bytes.count - 54 + Int.random(in: -2000...2000, using: &random)))
                : UInt32.random(in: 0...0xF_FFFF, using: &random)
            let mss = UInt16.random(in: 0...9000, using: &random)
            let headerLength = honest ? 54 : UInt8.random(in: 0...255, using: &random)
            guest.rawDescriptor(0, [14, 24, 33, 0, 34, 50, 0, 0], command: 0x2F00_0000 | claimed, byte13: headerLength,
                                special: mss)
            var index = 1
            var offset = 0
            while offset < bytes.count && index < 60 {
                let length = min(Int.random(in: 1...8192, using: &random), bytes.count - offset)
                let last = offset + length == bytes.count || index == 59
                let tso = Int.random(in: 0..<8, using: &random) != 0
                guest.transmitDescriptor(index, buffer: Self.packet + UInt64(offset), length: UInt32(length),
                                         command: (tso ? 0x24 : 0x20) | (last ? 0x09 : 0), type: 0x0010_0000)
                guest.setOptions(index, honest ? 3 : UInt8.random(in: 0...3, using: &random))
                offset += length
                index += 1
            }
            guest.write(E1000Register.tdt, UInt32(index))
            for frame in guest.harness.service() {
                #expect(frame.count <= 65536 + 4)
            }
            gathered += guest.harness.transmittedHeaders.filter { $0[1] != 0 }.count
            #expect(guest.read(E1000Register.tdh) == UInt32(index))
        }
        #expect(gathered > 50 || largeSlots == 0, "too few packets were gathered whole to tell")
        // Spare slots back in: the last packets may have used them all.
        guest.harness.service()
        try guest.expectStillWorking()
    }
}

/// A small deterministic generator (SplitMix64), so a failure replays.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
