/// Cuts a GSO frame, as a tap with offloads hands it over, into the frames
/// a port without offloads takes, as the kernel's software GSO would
/// (`tcp_gso_segment`, `__udp_gso_segment`): the headers copied before each
/// piece of payload, IPv4 total length, ID and header checksum or IPv6
/// payload length fixed, TCP sequence numbers advanced with FIN and PSH
/// only on the last segment and CWR only on the first, UDP lengths set, and
/// every TCP or UDP checksum computed in full. A frame that is not GSO but
/// leaves its checksum to the receiver comes out whole, checksum filled in.
///
/// Use: `next(into:capacity:)` writes the next frame and returns its length,
/// until it returns nil. Frames it cannot make sense of (IP fragmentation
/// GSO, headers that run past the frame) yield nothing: `isMalformed`.
package struct Segmenter {
    private let frame: UnsafeRawPointer
    private let length: Int
    private let header: VirtioNetHeader
    /// Where the IP header and the TCP or UDP header start, and the payload.
    private var network = 0
    private var transport = 0
    private var payload = 0
    private var isIPv4 = false
    private var isTCP = false
    private var segmentSize = 0
    private var index = 0
    private(set) var isMalformed = false

    package init(frame: UnsafeRawPointer, length: Int, header: VirtioNetHeader) {
        self.frame = frame
        self.length = length
        self.header = header
        guard header.gsoKind != VirtioNetHeader.gsoNone else { return }
        parseHeaders()
    }

    private mutating func parseHeaders() {
        var offset = 12
        var etherType = bigEndian16(at: offset)
        while etherType == 0x8100 || etherType == 0x88A8 {
            offset += 4
            etherType = bigEndian16(at: offset)
        }
        network = offset + 2
        switch (header.gsoKind, etherType) {
        case (VirtioNetHeader.gsoTCPv4, 0x0800), (VirtioNetHeader.gsoUDPL4, 0x0800):
            isIPv4 = true
            guard network + 20 <= length else { return fail() }
            transport = network + Int(frame.load(fromByteOffset: network, as: UInt8.self) & 0xF) * 4
        case (VirtioNetHeader.gsoTCPv6, 0x86DD), (VirtioNetHeader.gsoUDPL4, 0x86DD):
            // Extension headers, if any, are past the checksum start the sender gave.
            transport = header.flags & VirtioNetHeader.needsChecksum != 0 ? Int(header.checksumStart) : network + 40
            // A start inside the IPv6 header is no transport header (`ipv6_gso_segment` pulls all 40 bytes).
            guard transport >= network + 40 else { return fail() }
        default:
            return fail()
        }
        isTCP = header.gsoKind != VirtioNetHeader.gsoUDPL4
        guard transport + (isTCP ? 20 : 8) <= length else { return fail() }
        payload = transport + (isTCP ? Int(frame.load(fromByteOffset: transport + 12, as: UInt8.self) >> 4) * 4 : 8)
        segmentSize = Int(header.gsoSize)
        guard payload <= length, segmentSize > 0 else { return fail() }
    }

    private mutating func fail() {
        isMalformed = true
    }

    /// The length of the frame `next(into:capacity:)` writes next; nil when
    /// there is none left.
    package var upcomingLength: Int? {
        guard !isMalformed else { return nil }
        if header.gsoKind == VirtioNetHeader.gsoNone { return index == 0 ? length : nil }
        let start = payload + index * segmentSize
        guard start < length || (index == 0 && start == length) else { return nil }
        return payload + min(segmentSize, length - start)
    }

    /// Writes the next frame into `destination`, which holds `capacity`
    /// bytes; its length, or nil when there is none left (or room is short).
    package mutating func next(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        guard !isMalformed else { return nil }
        if header.gsoKind == VirtioNetHeader.gsoNone {
            guard index == 0, length <= capacity else { return nil }
            index = 1
            destination.copyMemory(from: frame, byteCount: length)
            if header.flags & VirtioNetHeader.needsChecksum != 0 { fillPartialChecksum(destination) }
            return length
        }
        let start = payload + index * segmentSize
        guard start < length || (index == 0 && start == length) else { return nil }
        let size = min(segmentSize, length - start)
        let total = payload + size
        guard total <= capacity else { return nil }
        destination.copyMemory(from: frame, byteCount: payload)
        (destination + payload).copyMemory(from: frame + start, byteCount: size)
        let last = start + size >= length
        fixHeaders(destination, total: total, first: index == 0, last: last)
        index += 1
        return total
    }

    private func fixHeaders(_ segment: UnsafeMutableRawPointer, total: Int, first: Bool, last: Bool) {
        if isIPv4 {
            // Truncated as the kernel's htons() truncates: a frame may be larger than an IP packet can be.
            store16(segment, at: network + 2, UInt16(truncatingIfNeeded: total - network))
            let id = bigEndian16(at: network + 4) &+ UInt16(truncatingIfNeeded: index)
            store16(segment, at: network + 4, id)
            store16(segment, at: network + 10, 0)
            let headerSum = Checksum.sum(UnsafeRawPointer(segment + network), count: transport - network)
            let headerChecksum = ~Checksum.fold(headerSum)
            store16(segment, at: network + 10, headerChecksum)
        } else {
            store16(segment, at: network + 4, UInt16(truncatingIfNeeded: total - network - 40))
        }
        let transportLength = total - transport
        if isTCP {
            let sequence = UInt32(bigEndian: frame.loadUnaligned(fromByteOffset: transport + 4, as: UInt32.self))
            let advanced = sequence &+ UInt32(truncatingIfNeeded: index * segmentSize)
            (segment + transport + 4).storeBytes(of: advanced.bigEndian, as: UInt32.self)
            var flags = segment.load(fromByteOffset: transport + 13, as: UInt8.self)
            if !last { flags &= ~0x09 }  // FIN, PSH
            if !first { flags &= ~0x80 }  // CWR
            segment.storeBytes(of: flags, toByteOffset: transport + 13, as: UInt8.self)
        } else {
            store16(segment, at: transport + 4, UInt16(truncatingIfNeeded: transportLength))
        }
        let field = transport + (isTCP ? 16 : 6)
        store16(segment, at: field, 0)
        var sum = pseudoHeaderSum(segment, transportLength: transportLength)
        sum &+= Checksum.sum(UnsafeRawPointer(segment + transport), count: transportLength)
        let checksum = ~Checksum.fold(sum)
        store16(segment, at: field, !isTCP && checksum == 0 ? 0xFFFF : checksum)
    }

    /// The pseudo-header sum: addresses, protocol and transport length.
    private func pseudoHeaderSum(_ segment: UnsafeMutableRawPointer, transportLength: Int) -> UInt64 {
        let addresses = isIPv4 ? (network + 12, 8) : (network + 8, 32)
        var sum = Checksum.sum(UnsafeRawPointer(segment + addresses.0), count: addresses.1)
        sum &+= UInt64(isTCP ? 6 : 17) &+ UInt64(transportLength)
        return sum
    }

    /// `VIRTIO_NET_HDR_F_NEEDS_CSUM`: the sum from the checksum start to the
    /// end, over the field that holds the pseudo-header's, goes in the field.
    private func fillPartialChecksum(_ copy: UnsafeMutableRawPointer) {
        let start = Int(header.checksumStart)
        let field = start + Int(header.checksumOffset)
        guard start < length, field + 2 <= length else { return }
        let checksum = ~Checksum.fold(Checksum.sum(UnsafeRawPointer(copy + start), count: length - start))
        store16(copy, at: field, checksum)
    }

    private func bigEndian16(at offset: Int) -> UInt16 {
        offset + 2 <= length ? UInt16(bigEndian: frame.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) : 0
    }

    private func store16(_ bytes: UnsafeMutableRawPointer, at offset: Int, _ value: UInt16) {
        (bytes + offset).storeBytes(of: value.bigEndian, as: UInt16.self)
    }
}

/// The Internet checksum (RFC 1071), summed in wide words.
enum Checksum {
    /// The ones'-complement sum of `count` bytes as big-endian 16-bit words,
    /// not yet folded; an odd last byte is padded with zero.
    static func sum(_ bytes: UnsafeRawPointer, count: Int) -> UInt64 {
        var sum: UInt64 = 0
        var offset = 0
        // Big-endian 32-bit words add up like pairs of 16-bit ones.
        while offset + 4 <= count {
            sum &+= UInt64(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            offset += 4
        }
        if offset + 2 <= count {
            sum &+= UInt64(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
            offset += 2
        }
        if offset < count {
            sum &+= UInt64(bytes.load(fromByteOffset: offset, as: UInt8.self)) << 8
        }
        return sum
    }

    /// Folds a wide sum into 16 bits with end-around carries.
    static func fold(_ sum: UInt64) -> UInt16 {
        var folded = sum
        while folded >> 16 != 0 {
            folded = (folded & 0xFFFF) &+ (folded >> 16)
        }
        return UInt16(folded)
    }
}
