import CLinux
import Foundation
import Glibc
import Synchronization

@testable import TapRing
@testable import TapRingHarness
@testable import TapRingOptions

/// The VM side of multi-process QEMU as the tests play it: QEMU 7.2's
/// `x-pci-proxy-dev` messages, byte for byte, sent over a socketpair to an
/// `MPQemuServer` that serves an in-memory e1000 on a thread of its own.
/// Sends never raise SIGPIPE: a server that ended has shut its socket down.
final class FakeProxy: @unchecked Sendable {
    let harness: InMemoryNIC
    let server: MPQemuServer
    let line = INTxLine()
    let descriptor: Int32
    private let thread: Thread
    private let shared = Shared()

    /// What the server's thread and its diagnostics leave for the test.
    private final class Shared: Sendable {
        let finished = Atomic<Bool>(false)
        let lines = Mutex<[String]>([])
    }

    init() throws {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { throw KernelError("socketpair") }
        descriptor = pair[0]
        harness = try InMemoryNIC(memory: SharedGuestMemory().memory, interruptLine: line.interruptLine,
                                  slotSize: 2048, slotCount: 256, queueCapacity: 64,
                                  servicedFromAnotherThread: true)
        let shared = self.shared
        server = try MPQemuServer(
            socket: pair[1], function: E1000Function(nic: harness.nic, intx: line), name: "robj0",
            diagnostics: { line in shared.lines.withLock { $0.append(line) } })
        let server = self.server
        thread = Thread {
            server.run()
            shared.finished.store(true, ordering: .releasing)
        }
        thread.start()
    }

    deinit {
        server.stop()
        while !shared.finished.load(ordering: .acquiring) { usleep(1000) }
        close(descriptor)
    }

    /// What the server reported so far.
    var diagnostics: [String] { shared.lines.withLock { $0 } }

    /// Whether the server's loop ended.
    func waitForEnd(seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !shared.finished.load(ordering: .acquiring) && Date() < deadline { usleep(1000) }
        return shared.finished.load(ordering: .acquiring)
    }

    // MARK: Messages

    /// Sends a header of `command` and `size` (the payload's size unless
    /// given), the payload, and `descriptors` as SCM_RIGHTS on the header.
    func send(_ command: Int32, _ payload: [UInt8] = [], descriptors: [Int32] = [], size: UInt64? = nil) {
        var header = MPQemuLayout.header(command: command, size: size ?? UInt64(payload.count))
        withUnsafeBytes(of: &header) {
            _ = clinux_send_with_descriptors(descriptor, $0.baseAddress, 16, descriptors, Int32(descriptors.count))
        }
        sendRaw(payload)
    }

    /// Raw bytes, for messages cut short.
    func sendRaw(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        _ = clinux_send_with_descriptors(descriptor, bytes, UInt(bytes.count), nil, 0)
    }

    /// The next `RET`'s value, or nil if none came within `seconds` or it
    /// was no `RET`.
    func reply(seconds: Double = 5) -> UInt64? {
        var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&watched, 1, Int32(seconds * 1000)) == 1 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 24)
        let count = recv(descriptor, &bytes, 24, Int32(MSG_WAITALL))
        guard count == 24, bytes[0] == 1 else { return nil }
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) }
    }

    /// Whether no message waits to be read within `seconds`.
    func isSilent(seconds: Double = 0.2) -> Bool {
        var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&watched, 1, Int32(seconds * 1000)) == 0
    }

    func configRead(_ offset: UInt32, width: Int32 = 4) -> UInt64? {
        send(3, Self.configPayload(offset, 0, width))
        return reply()
    }

    @discardableResult
    func configWrite(_ offset: UInt32, _ value: UInt32, width: Int32 = 4) -> UInt64? {
        send(2, Self.configPayload(offset, value, width))
        return reply()
    }

    func barRead(_ address: UInt64, width: UInt32 = 4, memory: Bool = true) -> UInt64? {
        send(5, Self.barPayload(address, 0, width, memory))
        return reply()
    }

    @discardableResult
    func barWrite(_ address: UInt64, _ value: UInt64, width: UInt32 = 4, memory: Bool = true) -> UInt64? {
        send(4, Self.barPayload(address, value, width, memory))
        return reply()
    }

    /// `SYNC_SYSMEM` of `(guest address, size, file offset, descriptor)` entries.
    func syncSystemMemory(_ regions: [(UInt64, UInt64, UInt64, Int32)]) {
        var payload = [UInt8](repeating: 0, count: 192)
        for (index, region) in regions.enumerated() where index < 8 {
            Self.store(region.0, at: 8 * index, in: &payload)
            Self.store(region.1, at: 64 + 8 * index, in: &payload)
            Self.store(region.2, at: 128 + 8 * index, in: &payload)
        }
        send(0, payload, descriptors: regions.map(\.3))
    }

    /// The realize sequence's probe of one BAR register (`probe_pci_info`):
    /// read, write all-ones, read back, restore; the read-back.
    func probeBAR(_ offset: UInt32) -> UInt64? {
        guard let original = configRead(offset) else { return nil }
        configWrite(offset, 0xFFFF_FFFF)
        let sized = configRead(offset)
        configWrite(offset, UInt32(original))
        return sized
    }

    static func configPayload(_ offset: UInt32, _ value: UInt32, _ width: Int32) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: offset.littleEndian) { payload.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: value.littleEndian) { payload.replaceSubrange(4..<8, with: $0) }
        withUnsafeBytes(of: width.littleEndian) { payload.replaceSubrange(8..<12, with: $0) }
        return payload
    }

    static func barPayload(_ address: UInt64, _ value: UInt64, _ width: UInt32, _ memory: Bool) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: 24)
        store(address, at: 0, in: &payload)
        store(value, at: 8, in: &payload)
        withUnsafeBytes(of: width.littleEndian) { payload.replaceSubrange(16..<20, with: $0) }
        payload[20] = memory ? 1 : 0
        return payload
    }

    private static func store(_ value: UInt64, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 8, with: $0) }
    }
}

/// How many descriptors of this process refer to what `descriptor` refers
/// to, itself included: the same file, or the same eventfd (told by the
/// `eventfd-id` the kernel shows in fdinfo). Unlike a count of all open
/// descriptors, other tests running meanwhile do not change it.
func openCopies(of descriptor: Int32) -> Int {
    func identity(_ descriptor: Int32) -> String? {
        let info = contentsOfFile("/proc/self/fdinfo/\(descriptor)")
        if let line = info.split(separator: "\n").first(where: { $0.hasPrefix("eventfd-id:") }) { return String(line) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        return "\(status.st_dev):\(status.st_ino)"
    }
    guard let target = identity(descriptor) else { return 0 }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return names.compactMap { Int32($0) }.count { identity($0) == target }
}
