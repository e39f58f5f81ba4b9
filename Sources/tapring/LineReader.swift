import Glibc

/// Lines of a descriptor, each at most `limit` bytes: a client that sends
/// bytes without a newline cannot make the reader hold more than that.
struct LineReader: ~Copyable {
    let descriptor: Int32
    let limit: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where each read lands before it joins `buffer`.
    private let chunk: UnsafeMutableRawPointer
    private static let chunkSize = 1 << 16

    init(descriptor: Int32, limit: Int) {
        self.descriptor = descriptor
        self.limit = limit
        chunk = .allocate(byteCount: Self.chunkSize, alignment: 16)
    }

    deinit {
        chunk.deallocate()
    }

    enum Failure: Error {
        case tooLong(Int)
        case readFailed(Int32)
    }

    /// The index of the first newline at or after `index`.
    ///
    /// The corresponding C function is `memchr`.
    private func newline(from index: Int) -> Int? {
        buffer.withUnsafeBytes { bytes -> Int? in
            guard index < bytes.count,
                let found = memchr(bytes.baseAddress! + index, Int32(UInt8(ascii: "\n")), bytes.count - index)
            else { return nil }
            return UnsafeRawPointer(found) - bytes.baseAddress!
        }
    }

    /// The next line without its newline, or nil at the end of the input
    /// (a last line without a newline included).
    ///
    /// The corresponding C function is `read`.
    mutating func next() throws(Failure) -> Substring? {
        var scanned = start
        while true {
            if let newline = newline(from: scanned) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                return line[...]
            }
            guard buffer.count - start <= limit else { throw .tooLong(limit) }
            scanned = buffer.count
            if start > 0 && start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
                scanned = 0
            }
            let count = read(descriptor, chunk, Self.chunkSize)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw .readFailed(errno) }
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: chunk, count: count))
            if count == 0 {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line[...]
            }
        }
    }
}
