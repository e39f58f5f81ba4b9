/// What a completion is about, packed into its 64-bit `user_data` so that no
/// object stands behind any request.
///
/// Layout: kind in bits 56–63, port in bits 32–47, slot in bits 0–31; a
/// direct write has its source port in bits 44–55 and its destination in
/// bits 32–43 instead, which is why an engine has at most `portLimit` ports.
struct Operation: RawRepresentable, Equatable {
    enum Kind: UInt8 {
        /// A read of one frame of a batch into `slot` from engine port `port`.
        case read = 1
        /// A multishot read on local port `port`, drawing slots from a
        /// provided-buffer ring.
        case multishotRead
        /// A write of the frame in `slot` to local port `port`, from its lanes.
        case write
        /// A write of the frame in `slot`, read from `source`, to `destination`
        /// by the reactor that read it.
        case directWrite
        /// A poll for frames on engine port `port`, which a batch found empty.
        case poll
        /// A poll for room on datagram socket `port` (local), which had none
        /// for the frames it holds.
        case writable
        /// A receive into a stream socket's buffer.
        case receive
        /// A send of a batch of framed frames on a stream socket.
        case send
        /// An accept of a stream connection into a listener's connection slot.
        case accept
        /// The close of a listener's ended connection.
        case close
        /// The connection of a client whose server had not answered as the
        /// engine started.
        case connect
        /// A NIC's timer deadline.
        case timer
        /// Another reactor woke this one (`IORING_OP_MSG_RING`).
        case wake
        /// The engine rang this reactor's eventfd.
        case doorbell
    }

    var rawValue: UInt64

    /// Ports an engine may have: a direct write names two in 12 bits each.
    static let portLimit = 4096

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    @inline(__always)
    init(_ kind: Kind, port: Int = 0, slot: UInt32 = 0) {
        rawValue = UInt64(kind.rawValue) << 56 | UInt64(UInt16(port)) << 32 | UInt64(slot)
    }

    @inline(__always)
    init(directWrite source: Int, to destination: Int, slot: UInt32) {
        rawValue = UInt64(Kind.directWrite.rawValue) << 56 | UInt64(source & 0xFFF) << 44
            | UInt64(destination & 0xFFF) << 32 | UInt64(slot)
    }

    @inline(__always)
    var kind: Kind? { Kind(rawValue: UInt8(truncatingIfNeeded: rawValue >> 56)) }

    @inline(__always)
    var port: Int { Int(UInt16(truncatingIfNeeded: rawValue >> 32)) }

    /// A direct write's source port.
    @inline(__always)
    var source: Int { Int(truncatingIfNeeded: rawValue >> 44) & 0xFFF }

    /// A direct write's destination port.
    @inline(__always)
    var destination: Int { Int(truncatingIfNeeded: rawValue >> 32) & 0xFFF }

    @inline(__always)
    var slot: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
}
