import TapRing

/// A fuzz input read front to back as little-endian fields. Past the end,
/// `next` reads fail, so that a program stops at its last whole operation.
struct FuzzInput {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    /// The next `width` bytes (at most 8) as an integer, or nil when fewer are left.
    mutating func next(_ width: Int) -> UInt64? {
        guard bytes.count - position >= width else { return nil }
        var value: UInt64 = 0
        for index in 0..<width {
            value |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += width
        return value
    }

    mutating func byte() -> UInt8? { next(1).map { UInt8(truncatingIfNeeded: $0) } }

    /// Up to `count` bytes, fewer when the input ends first.
    mutating func bytes(upTo count: Int) -> UnsafeRawBufferPointer {
        let taken = min(count, bytes.count - position)
        defer { position += taken }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + taken])
    }

    /// The rest of the input.
    mutating func rest() -> UnsafeRawBufferPointer {
        bytes(upTo: bytes.count - position)
    }
}
