import Glibc
import SystemPackage

/// The pcap file of one `-object filter-dump` (QEMU's `net/dump.c`): every
/// frame the netdev sends or receives, in the filter's direction, cut to
/// `maxlen` bytes, with a wall-clock timestamp.
///
/// Records collect in a buffer that goes to the file with one `write` when
/// full and when the engine stops, so a frame costs a copy, not a system
/// call. Only the reactor that owns the netdev's port records, so nothing is
/// shared; the engine flushes once the reactors have stopped.
package struct PacketCapture {
    static let bufferSize = 1 << 20

    let file: FileDescriptor
    let snapLength: Int
    let direction: PacketDumpOptions.Direction
    private let buffer: UnsafeMutableRawPointer
    private var used = 0
    /// The next capture on the same netdev, if several filters name it.
    var next: UnsafeMutablePointer<PacketCapture>?
    /// The filter's `file=`, for messages.
    let path: String
    /// The error of the write that failed: QEMU's dump stops at the first
    /// (`dump_receive_iov`), and so does this one.
    private(set) var failure: Errno?

    /// Creates `options.file` (truncating it, as QEMU does) and writes the
    /// pcap file header: version 2.4, Ethernet, `maxlen` as the snapshot length.
    static func open(_ options: PacketDumpOptions) throws(EngineError) -> UnsafeMutablePointer<PacketCapture> {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(
                options.file, .writeOnly, options: [.create, .truncate, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw EngineError("net dump: can't open \(options.file): \(error)")
        }
        let capture = UnsafeMutablePointer<PacketCapture>.allocate(capacity: 1)
        capture.initialize(to: PacketCapture(
            file: file, snapLength: Int(options.maxLength), direction: options.direction,
            buffer: .allocate(byteCount: bufferSize, alignment: 64), path: options.file))
        // struct pcap_file_hdr: magic, major, minor, thiszone, sigfigs, snaplen, linktype.
        capture.pointee.append(UInt32(0xA1B2_C3D4))
        capture.pointee.append(UInt16(2))
        capture.pointee.append(UInt16(4))
        capture.pointee.append(Int32(0))
        capture.pointee.append(UInt32(0))
        capture.pointee.append(options.maxLength)
        capture.pointee.append(UInt32(1))
        // Written now: a file that takes nothing (/dev/full) stops the dump
        // before the first frame, as QEMU's first write does.
        capture.pointee.flush()
        return capture
    }

    /// Flushes, closes and frees `capture` and those chained after it.
    static func close(_ capture: UnsafeMutablePointer<PacketCapture>) {
        var current: UnsafeMutablePointer<PacketCapture>? = capture
        while let capture = current {
            capture.pointee.flush()
            try? capture.pointee.file.close()
            capture.pointee.buffer.deallocate()
            current = capture.pointee.next
            capture.deinitialize(count: 1)
            capture.deallocate()
        }
    }

    /// Records the frame of `length` bytes at `bytes`, seen going `way`.
    mutating func record(_ bytes: UnsafeRawPointer, length: Int, going way: PacketDumpOptions.Direction) {
        guard direction == .all || direction == way, failure == nil else { return }
        let captured = min(length, snapLength)
        if used + 16 + captured > Self.bufferSize { flush() }
        guard used + 16 + captured <= Self.bufferSize else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        // struct pcap_sf_pkthdr: seconds, microseconds, captured length, length.
        append(UInt32(truncatingIfNeeded: now.tv_sec))
        append(UInt32(now.tv_nsec / 1000))
        append(UInt32(captured))
        append(UInt32(length))
        (buffer + used).copyMemory(from: bytes, byteCount: captured)
        used += captured
    }

    /// Writes what the buffer holds to the file.
    ///
    /// The corresponding C function is `write`.
    mutating func flush() {
        defer { used = 0 }
        guard used > 0, failure == nil else { return }
        do {
            _ = try file.writeAll(UnsafeRawBufferPointer(start: buffer, count: used))
        } catch {
            failure = error as? Errno ?? .ioError
        }
    }

    /// Appends `value` in host byte order, as pcap writers do: readers tell
    /// the order from the magic number.
    private mutating func append<Value: FixedWidthInteger>(_ value: Value) {
        (buffer + used).storeBytes(of: value, as: Value.self)
        used += MemoryLayout<Value>.size
    }
}

extension UnsafeMutablePointer<PacketCapture> {
    /// Flushes every capture of the chain that starts here; returns QEMU's
    /// message for each that stopped on a failed write.
    func flushChain() -> [String] {
        var failures: [String] = []
        var current: UnsafeMutablePointer<PacketCapture>? = self
        while let capture = current {
            capture.pointee.flush()
            if let failure = capture.pointee.failure {
                failures.append("network dump write error - stopping dump (\(capture.pointee.path): \(failure))")
            }
            current = capture.pointee.next
        }
        return failures
    }

    /// Records the frame with every capture of the chain that starts here.
    @inline(__always)
    func record(_ bytes: UnsafeRawPointer, length: Int, going way: PacketDumpOptions.Direction) {
        var current: UnsafeMutablePointer<PacketCapture>? = self
        while let capture = current {
            capture.pointee.record(bytes, length: length, going: way)
            current = capture.pointee.next
        }
    }
}

extension PacketDumpOptions.Direction {
    /// The same frames seen from the other end of a link.
    var reversed: Self {
        switch self {
        case .all: .all
        case .rx: .tx
        case .tx: .rx
        }
    }
}
