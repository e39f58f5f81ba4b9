/// What became of a frame handed to the receiver (`e1000_receive_iov`'s
/// return value, as QEMU's net layer reads it).
enum ReceiveOutcome {
    /// Received, filtered out or dropped as oversize: the frame is done.
    case consumed
    /// Receive disabled or no room: the frame is lost.
    case lost
    /// The receive holdback is on: the frame stays queued.
    case deferred
}

extension E1000Core {
    /// Whether a frame arriving now would be received at once rather than
    /// queued (`e1000_can_receive`).
    @inline(__always)
    var canReceive: Bool {
        receiverOn && busMastering && hasReceiveBuffers(for: 1) && timers.flushQueue == nil
    }

    /// The link is up (STATUS.LU) and RCTL.EN is set.
    @inline(__always)
    var receiverOn: Bool {
        self[E1000Register.status] & E1000Status.linkUp != 0
            && self[E1000Register.rctl] & E1000ReceiveControl.enable != 0
    }

    /// The longest frame, padded, that RCTL lets in (`e1000x_is_oversized`):
    /// 1522 bytes, 16384 with LPE, any with SBP.
    @inline(__always)
    static func longestFrame(control rctl: UInt32) -> Int {
        rctl & E1000ReceiveControl.storeBadPackets != 0 ? .max
            : rctl & E1000ReceiveControl.longPackets != 0 ? 16384 : 1522
    }

    /// Whether the free descriptors hold `bytes` bytes (`e1000_has_rxbufs`).
    ///
    /// QEMU counts the descriptors in an `int` and multiplies them by the
    /// `uint32_t` buffer size: with RDH past the ring's end the count is
    /// negative, the product wraps to a number near 4 GiB, and any frame fits.
    @inline(__always)
    func hasReceiveBuffers(for bytes: Int) -> Bool {
        let head = Int(self[E1000Register.rdh]), tail = Int(self[E1000Register.rdt])
        if bytes <= receiveBufferSize { return head != tail }
        let buffers: Int
        if head < tail {
            buffers = tail - head
        } else if head > tail {
            buffers = Int(self[E1000Register.rdlen]) / 16 + tail - head
        } else {
            return false
        }
        let room = UInt32(truncatingIfNeeded: buffers) &* UInt32(receiveBufferSize)
        return bytes <= Int(room)
    }

    /// Frames arrived from the network: received while the NIC can take them.
    /// The first it cannot take stops its sources, as QEMU's queue does. A
    /// frame QEMU would have queued then waits for a flush; a held-back one,
    /// which QEMU would not have read yet, waits only until the NIC can take it.
    mutating func receiveArrivals() {
        takeArrivals(flushing: false)
    }

    /// Delivers every queued frame whether or not it fits: the ones that do
    /// not are lost with RXO (`qemu_flush_queued_packets`); held-back frames
    /// go on only while the NIC can take them. While the receive holdback is
    /// on, the queue stays as it is.
    mutating func flushQueue() {
        guard link.isBlocked else { return }
        takeArrivals(flushing: true)
    }

    private mutating func takeArrivals(flushing: Bool) {
        while true {
            let run = link.arrivals()
            guard !run.isEmpty else { break }
            var taken = 0
            while taken < run.count {
                if flushing || !link.isBlocked {
                    taken += receiveInBulk(run, from: taken)
                    guard taken < run.count else { break }
                }
                let frame = Frame(packed: run[taken])
                let queued = !frame.heldBack && (flushing || link.isBlocked)
                if queued && !flushing {
                    break  // in QEMU's queue: only a flush delivers it
                }
                guard queued || canReceive else { break }
                let outcome = receive(frame)
                if outcome == .deferred { break }
                if outcome == .lost { framesLost &+= 1 }
                taken += 1
            }
            link.consume(taken, of: run)
            if taken < run.count {
                link.setBlocked(true)
                return
            }
        }
        // Frames may still wait while the reactor takes back earlier slots.
        if !link.hasArrivals() { link.setBlocked(false) }
    }

    /// Receives one frame into the guest's ring (`e1000_receive_iov`).
    /// A frame the NIC sent to itself (`loopedBack`) is QEMU's transmit
    /// buffer: stripping its tag moves the addresses 4 bytes on in that buffer,
    /// which its counters and the next packets then see, unless the frame
    /// was short enough to be padded in a copy first.
    mutating func receive(_ frame: Frame, loopedBack: Bool = false) -> ReceiveOutcome {
        guard receiverOn else { return .lost }
        guard timers.flushQueue == nil else { return .deferred }
        receiving = true
        var movesAddresses = false
        defer {
            receiving = false
            if movesAddresses {
                let bytes = link.arena.bytes(of: frame)
                (bytes + 4).copyMemory(from: bytes, byteCount: 12)
            }
        }
        let rctl = self[E1000Register.rctl]
        var view = ReceivedFrame(bytes: link.arena.bytes(of: frame), count: Int(frame.length))
        guard view.count <= Self.longestFrame(control: rctl) else {
            increment(E1000Register.roc)
            return .consumed
        }
        guard accepts(view) else { return .consumed }
        var special: UInt16 = 0
        var vlanStatus: UInt8 = 0
        if self[E1000Register.ctrl] & E1000Control.vlanModeEnable != 0
            && view.etherType == UInt16(truncatingIfNeeded: self[E1000Register.vet])
        {
            special = view.bigEndian16(at: 14)
            view.stripTag()
            vlanStatus = E1000ReceiveStatus.vlan
            movesAddresses = loopedBack && frame.length >= 60
        }
        let size = view.count
        let total = size + (rctl & E1000ReceiveControl.stripCRC != 0 ? 0 : 4)
        guard hasReceiveBuffers(for: total) else {
            overrun()
            return .lost
        }
        guard placeInRing(view, total: total, special: special, vlanStatus: vlanStatus) else {
            overrun()
            return .lost
        }
        var tally = ReceiveTally()
        tally.count(size: size, total: total)
        add(tally)
        raise(E1000Interrupt.rxt0 | (freeDescriptorsLow ? E1000Interrupt.rxdmt0 : 0))
        return .consumed
    }

    /// Writes the frame into as many descriptors as it needs, DD last in each;
    /// false when RDH came back to where it started or started outside the
    /// ring (the CVE-2016-1981 guard).
    private mutating func placeInRing(_ view: ReceivedFrame, total: Int, special: UInt16, vlanStatus: UInt8) -> Bool {
        let ringBase = receiveRingBase
        let ringBytes = Int(self[E1000Register.rdlen])
        let start = Int(self[E1000Register.rdh])
        var head = start
        var offset = 0
        repeat {
            let address = ringBase &+ UInt64(16 * head)
            var descriptor = readReceiveDescriptor(at: address)
            descriptor.special = special
            descriptor.status &= ~E1000ReceiveStatus.done
            let buffer = descriptor.bufferAddress
            // A descriptor without a buffer is passed over (QEMU follows the manual).
            if buffer != 0 {
                let chunk = min(total - offset, receiveBufferSize)
                if offset < view.count {
                    view.copy(from: offset, count: min(view.count - offset, receiveBufferSize)) { bytes, count, skip in
                        dmaWrite(buffer &+ UInt64(skip), from: bytes, count: count)
                    }
                }
                offset += chunk
                descriptor.length = UInt16(chunk)
                if offset >= total {
                    descriptor.status |= E1000ReceiveStatus.endOfPacket | E1000ReceiveStatus.ignoreChecksum
                } else {
                    descriptor.status &= ~E1000ReceiveStatus.endOfPacket
                }
            }
            // The descriptor first, then its status with DD: the guest must not
            // see DD before the rest.
            writeReceiveDescriptor(descriptor, at: address)
            var done = descriptor.status | vlanStatus | E1000ReceiveStatus.done
            dmaWrite(address + 12, from: &done, count: 1)
            head += 1
            if head * 16 >= ringBytes { head = 0 }
            self[E1000Register.rdh] = UInt32(head)
            // Bogus RDT or RDLEN: stop once the head comes round (CVE-2016-1981).
            if head == start || start >= ringBytes / 16 { return false }
        } while offset < total
        return true
    }

    /// RXDMT0: the free descriptors fell to the RCTL.RDMTS threshold.
    @inline(__always)
    var freeDescriptorsLow: Bool {
        let ringBytes = self[E1000Register.rdlen]
        return Self.freeDescriptorsLow(head: self[E1000Register.rdh], tail: self[E1000Register.rdt],
                                       ringBytes: ringBytes, lowWater: ringBytes >> UInt32(receiveThresholdShift))
    }

    /// RXDMT0 with RDH at `head`, RDT at `tail`, RDLEN `ringBytes`, and the
    /// bytes of free descriptors at or under which it rises, `lowWater`.
    @inline(__always)
    static func freeDescriptorsLow(head: UInt32, tail: UInt32, ringBytes: UInt32, lowWater: UInt32) -> Bool {
        let tail = tail < head ? tail &+ ringBytes / 16 : tail
        return (tail &- head) &* 16 <= lowWater
    }

    /// No room for a frame: RNBC, MPC and RXO (`e1000_receiver_overrun`).
    private mutating func overrun() {
        Trace.point(.e1000, "receiver overrun: RDH \(self[E1000Register.rdh]) RDT \(self[E1000Register.rdt])")
        increment(E1000Register.rnbc)
        increment(E1000Register.mpc)
        raise(E1000Interrupt.rxo)
    }
}

/// A received frame as the guest will see it: zero-padded to 60 bytes, and
/// without its VLAN tag once stripped, read straight from the arena slot.
struct ReceivedFrame {
    private let bytes: UnsafeRawPointer
    private let stored: Int
    private var tagStripped = false
    /// The frame's length as the guest sees it.
    private(set) var count: Int

    init(bytes: UnsafeRawPointer, count: Int) {
        self.bytes = bytes
        stored = count
        self.count = max(count, 60)
    }

    /// The byte at `offset` of the padded frame, before any strip.
    @inline(__always)
    func byte(at offset: Int) -> UInt8 {
        offset < stored ? bytes.load(fromByteOffset: offset, as: UInt8.self) : 0
    }

    func bigEndian16(at offset: Int) -> UInt16 {
        UInt16(byte(at: offset)) << 8 | UInt16(byte(at: offset + 1))
    }

    var etherType: UInt16 { bigEndian16(at: 12) }

    /// The destination address as RAL and RAH hold one: its first four
    /// bytes and its last two, each little-endian.
    @inline(__always)
    var destination: (low: UInt32, high: UInt32) {
        guard stored >= 6 else {
            let low = (0..<4).reduce(UInt32(0)) { $0 | UInt32(byte(at: $1)) << (8 * $1) }
            return (low, UInt32(byte(at: 4)) | UInt32(byte(at: 5)) << 8)
        }
        return (UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)),
                UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self))))
    }

    /// Removes the 4-byte tag after the addresses.
    mutating func stripTag() {
        tagStripped = true
        count -= 4
    }

    /// Hands `count` bytes from `offset` to `body` in contiguous pieces, with
    /// each piece's distance from `offset`; padding comes from a zero buffer.
    func copy(from offset: Int, count: Int, _ body: (UnsafeRawPointer, Int, Int) -> Void) {
        var position = offset
        let end = offset + count
        while position < end {
            // Past the addresses, a stripped frame reads 4 bytes further on.
            let shift = tagStripped && position >= 12 ? 4 : 0
            let pieceEnd = tagStripped && position < 12 ? min(end, 12) : end
            let source = position + shift
            if source < stored {
                let length = min(pieceEnd - position, stored - source)
                body(bytes + source, length, position - offset)
                position += length
            } else {
                let length = min(pieceEnd - position, ReceivedFrame.zeros.count)
                ReceivedFrame.zeros.withUnsafeBytes { body($0.baseAddress!, length, position - offset) }
                position += length
            }
        }
    }

    private static let zeros = [UInt8](repeating: 0, count: 64)

    /// Copies the whole padded frame, whose tag was not stripped, to
    /// `destination` in one go.
    @inline(__always)
    func copyWhole(to destination: UnsafeMutableRawPointer) {
        assert(!tagStripped, "a stripped frame is copied in pieces")
        destination.copyMemory(from: bytes, byteCount: min(stored, count))
        if stored < count {
            (destination + stored).initializeMemory(as: UInt8.self, repeating: 0, count: count - stored)
        }
    }
}

/// A receive descriptor (8254x manual 3.2.3) held in two words: the buffer
/// address, then length, checksum, status, errors and special.
struct ReceiveDescriptor {
    private var low: UInt64
    private var high: UInt64

    @inline(__always)
    init(bytesAt pointer: UnsafeRawPointer) {
        low = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self))
        high = UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Writes the buffer address, then length, checksum, status, errors and
    /// special with one 8-byte store.
    @inline(__always)
    func store(at pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: low.littleEndian, as: UInt64.self)
        pointer.storeBytes(of: high.littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    var bufferAddress: UInt64 { low }

    var length: UInt16 {
        get { UInt16(truncatingIfNeeded: high) }
        set { high = high & ~0xFFFF | UInt64(newValue) }
    }

    var status: UInt8 {
        get { UInt8(truncatingIfNeeded: high >> 32) }
        set { high = high & ~(0xFF << 32) | UInt64(newValue) << 32 }
    }

    var special: UInt16 {
        get { UInt16(truncatingIfNeeded: high >> 48) }
        set { high = high & 0xFFFF_FFFF_FFFF | UInt64(newValue) << 48 }
    }
}
