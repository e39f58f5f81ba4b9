import Testing

@testable import TapRing
@testable import TapRingOptions

/// GSO frames as a tap with offloads hands them over, cut up for a port
/// that takes plain frames: every segment a valid frame of its own.
struct SegmenterTests {
    /// An Ethernet frame with an IPv4 or IPv6 header, then TCP or UDP, then
    /// `payload` bytes counting up.
    private static func gsoFrame(ipv6: Bool, tcp: Bool, payload: Int) -> [UInt8] {
        var frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1] + (ipv6 ? [0x86, 0xDD] : [0x08, 0x00])
        let transportHeader = tcp ? 20 : 8
        if ipv6 {
            frame += [0x60, 0, 0, 0] + be16(transportHeader + payload) + [tcp ? 6 : 17, 64]
            frame += (0..<16).map { UInt8($0) } + (0..<16).map { UInt8(0x80 + $0) }
        } else {
            frame += [0x45, 0] + be16(20 + transportHeader + payload) + [0x12, 0x34, 0x40, 0, 64, tcp ? 6 : 17, 0, 0]
            frame += [10, 0, 0, 1, 10, 0, 0, 2]
        }
        if tcp {
            // Ports, sequence 0xFFFFFF00 (it wraps), ack, offset 5, PSH|ACK|FIN|CWR.
            frame += [0x30, 0x39, 0x00, 0x50, 0xFF, 0xFF, 0xFF, 0x00, 0, 0, 0, 1, 0x50, 0x89, 0xFF, 0xFF, 0, 0, 0, 0]
        } else {
            frame += [0x30, 0x39, 0x00, 0x35] + be16(8 + payload) + [0, 0]
        }
        return frame + (0..<payload).map { UInt8(truncatingIfNeeded: $0) }
    }

    private static func be16(_ value: Int) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    /// `frame` cut as the hub cuts it for a port that takes plain frames.
    static func segments(of frame: [UInt8], header: VirtioNetHeader) -> [[UInt8]] {
        var result: [[UInt8]] = []
        frame.withUnsafeBytes { bytes in
            var segmenter = Segmenter(frame: bytes.baseAddress!, length: bytes.count, header: header)
            var buffer = [UInt8](repeating: 0, count: 2048)
            while let length = buffer.withUnsafeMutableBytes({
                segmenter.next(into: $0.baseAddress!, capacity: $0.count)
            }) {
                result.append(Array(buffer.prefix(length)))
            }
        }
        return result
    }

    /// The sum over the pseudo-header and the transport header and payload
    /// folds to 0xFFFF when the checksum in it is right.
    private static func transportChecksumIsValid(_ segment: [UInt8], ipv6: Bool, tcp: Bool) -> Bool {
        let network = 14
        let transport = network + (ipv6 ? 40 : 20)
        var pseudo: [UInt8] = ipv6
            ? Array(segment[network + 8..<network + 40]) : Array(segment[network + 12..<network + 20])
        pseudo += [0, tcp ? 6 : 17] + be16(segment.count - transport)
        let sum = pseudo.withUnsafeBytes { Checksum.sum($0.baseAddress!, count: $0.count) }
            + segment[transport...].withUnsafeBytes { Checksum.sum($0.baseAddress!, count: $0.count) }
        return Checksum.fold(sum) == 0xFFFF
    }

    @Test(arguments: [false, true])
    func tcpSegmentsAreWholeFrames(ipv6: Bool) {
        let frame = Self.gsoFrame(ipv6: ipv6, tcp: true, payload: 4000)
        var header = VirtioNetHeader()
        header.flags = VirtioNetHeader.needsChecksum
        header.gsoType = ipv6 ? VirtioNetHeader.gsoTCPv6 : VirtioNetHeader.gsoTCPv4
        header.gsoSize = 1448
        header.checksumStart = UInt16(14 + (ipv6 ? 40 : 20))
        header.checksumOffset = 16
        let segments = Self.segments(of: frame, header: header)
        #expect(segments.map(\.count) == [1448, 1448, 1104].map { $0 + 14 + (ipv6 ? 40 : 20) + 20 })
        let transport = 14 + (ipv6 ? 40 : 20)
        for (index, segment) in segments.enumerated() {
            #expect(Self.transportChecksumIsValid(segment, ipv6: ipv6, tcp: true), "segment \(index)")
            let sequence = segment[transport + 4..<transport + 8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(sequence == 0xFFFF_FF00 &+ UInt32(index * 1448))
            let flags = segment[transport + 13]
            #expect((flags & 0x80 != 0) == (index == 0), "CWR only on the first")
            #expect((flags & 0x09 != 0) == (index == 2), "FIN and PSH only on the last")
            #expect(Array(segment[(transport + 20)...])
                == Array(frame[(transport + 20 + index * 1448)...].prefix(1448)))
            if ipv6 {
                #expect(Int(segment[18]) << 8 | Int(segment[19]) == segment.count - 54)
            } else {
                #expect(Int(segment[16]) << 8 | Int(segment[17]) == segment.count - 14)
                #expect(Int(segment[18]) << 8 | Int(segment[19]) == 0x1234 + index, "IP IDs count up")
                let ipSum = segment[14..<34].withUnsafeBytes { Checksum.fold(Checksum.sum($0.baseAddress!, count: 20)) }
                #expect(ipSum == 0xFFFF, "IPv4 header checksum")
            }
        }
    }

    @Test func udpSegmentsCarryTheirOwnLengths() {
        let frame = Self.gsoFrame(ipv6: false, tcp: false, payload: 3000)
        var header = VirtioNetHeader()
        header.flags = VirtioNetHeader.needsChecksum
        header.gsoType = VirtioNetHeader.gsoUDPL4
        header.gsoSize = 1200
        header.checksumStart = 34
        header.checksumOffset = 6
        let segments = Self.segments(of: frame, header: header)
        #expect(segments.map(\.count) == [1200, 1200, 600].map { $0 + 42 })
        for segment in segments {
            #expect(Int(segment[38]) << 8 | Int(segment[39]) == segment.count - 34)
            #expect(Self.transportChecksumIsValid(segment, ipv6: false, tcp: false))
        }
    }

    @Test func aPartialChecksumIsFilledIn() {
        var frame = Self.gsoFrame(ipv6: false, tcp: true, payload: 100)
        // The sender leaves the pseudo-header's sum in the field, as Linux does.
        var pseudo: [UInt8] = Array(frame[26..<34]) + [0, 6] + Self.be16(frame.count - 34)
        let partial = pseudo.withUnsafeBytes { Checksum.fold(Checksum.sum($0.baseAddress!, count: $0.count)) }
        frame[50] = UInt8(partial >> 8)
        frame[51] = UInt8(partial & 0xFF)
        pseudo.removeAll()
        var header = VirtioNetHeader()
        header.flags = VirtioNetHeader.needsChecksum
        header.checksumStart = 34
        header.checksumOffset = 16
        let segments = Self.segments(of: frame, header: header)
        #expect(segments.count == 1)
        #expect(segments.first.map { Self.transportChecksumIsValid($0, ipv6: false, tcp: true) } == true)
    }

    @Test func framesItCannotParseYieldNothing() {
        var header = VirtioNetHeader()
        header.gsoType = VirtioNetHeader.gsoTCPv4
        header.gsoSize = 1448
        let runt: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45]
        #expect(Self.segments(of: runt, header: header).isEmpty)
        header.gsoType = VirtioNetHeader.gsoUDP  // IP fragmentation: never offered
        #expect(Self.segments(of: Self.gsoFrame(ipv6: false, tcp: false, payload: 3000), header: header).isEmpty)
    }
}
