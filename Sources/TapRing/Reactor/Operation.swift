/// What a completion is about, packed into its 64-bit `user_data` so that no
/// object stands behind any request.
///
/// Layout: kind in bits 56–63, local port in bits 32–47, slot in bits 0–31.
struct Operation: RawRepresentable, Equatable {
    enum Kind: UInt8 {
        /// A fixed-buffer read into `slot` on `port`.
        case read = 1
        /// A multishot read on `port`, drawing slots from a provided-buffer ring.
        case multishotRead
        /// A write of the frame in `slot` to `port`.
        case write
        /// A receive into a stream socket's buffer.
        case receive
        /// A send of a batch of framed frames on a stream socket.
        case send
        /// An accept of a stream connection into a listener's connection slot.
        case accept
        /// The close of a listener's ended connection.
        case close
        /// A NIC's timer deadline.
        case timer
        /// Another reactor woke this one (`IORING_OP_MSG_RING`).
        case wake
        /// The engine rang this reactor's eventfd.
        case doorbell
    }

    var rawValue: UInt64

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    @inline(__always)
    init(_ kind: Kind, port: Int = 0, slot: UInt32 = 0) {
        rawValue = UInt64(kind.rawValue) << 56 | UInt64(UInt16(port)) << 32 | UInt64(slot)
    }

    @inline(__always)
    var kind: Kind? { Kind(rawValue: UInt8(truncatingIfNeeded: rawValue >> 56)) }

    @inline(__always)
    var port: Int { Int(UInt16(truncatingIfNeeded: rawValue >> 32)) }

    @inline(__always)
    var slot: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
}
