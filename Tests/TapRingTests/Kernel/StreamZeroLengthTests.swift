import Foundation
import Glibc
import Testing

/// A stream peer that sends a zero-length frame, on a hub of three stream
/// listeners. QEMU 7.2 forwards it; each stream port it reaches takes
/// `net_stream_receive`'s 0 for "later" and gets no frame again, while every
/// port still sends and the sender's own port still receives. TapRing must
/// do what QEMU does, and nothing more: no other port wedged.
@Suite(.serialized)
struct StreamZeroLengthTests {
    @Test func aZeroLengthFrameWedgesOnlyThePortsItReaches() throws {
        try replay(forwarder: .tapring)
    }

    /// The same scenario against QEMU 7.2 itself: the expectations are its behaviour.
    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"))
    func qemuDoesTheSame() throws {
        try replay(forwarder: .qemu)
    }

    private func replay(forwarder: Forwarder) throws {
        let directory = NSTemporaryDirectory() + "tapring-zero-\(getpid())-\(forwarder)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = ["a", "b", "c"]
        let options = names.flatMap { name in
            ["-netdev", "stream,id=\(name),server=on,addr.type=unix,addr.path=\(directory)/\(name).sock",
             "-netdev", "hubport,id=p\(name),hubid=0,netdev=\(name)"]
        }
        let process = try forwarder.launch(options)
        defer { forwarder.stop(process) }
        let peers = try names.map { try StreamPeer(path: "\(directory)/\($0).sock") }

        try peers[0].send(frame: Self.frame(1))
        try peers[0].send(frame: [])
        try peers[0].send(frame: Self.frame(2))
        usleep(200_000)
        try peers[2].send(frame: Self.frame(3))
        try peers[1].send(frame: Self.frame(4))
        // b and c get frame 1 and the empty one, then nothing; a gets what they send.
        #expect(peers[1].receiveMarks() == [1, 0])
        #expect(peers[2].receiveMarks() == [1, 0])
        #expect(peers[0].receiveMarks() == [3, 4])
    }

    /// A broadcast frame of 60 bytes whose 15th byte is `mark`.
    static func frame(_ mark: UInt8) -> [UInt8] {
        [UInt8](repeating: 0xff, count: 6) + [2, 0, 0, 0, 0, 1, 0x88, 0xb5] + [UInt8](repeating: mark, count: 46)
    }
}

/// The far end of a `-netdev stream` listener on a Unix socket, in QEMU's
/// framing: a 4-byte big-endian length before each frame.
private struct StreamPeer {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        var waited = 0
        while withUnsafePointer(to: &address, {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }) != 0 {
            guard waited < 100 else { throw KernelError("could not connect to \(path)") }
            usleep(50_000)
            waited += 1
        }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        usleep(100_000)
    }

    func send(frame: [UInt8]) throws {
        let bytes = withUnsafeBytes(of: UInt32(frame.count).bigEndian, Array.init) + frame
        guard Glibc.send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw KernelError("send failed") }
        usleep(100_000)
    }

    /// The marks of the frames that arrive until a second passes without
    /// one; 0 for an empty frame.
    func receiveMarks() -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { break }
            data += chunk.prefix(count)
        }
        var marks: [UInt8] = []
        var offset = 0
        while offset + 4 <= data.count {
            let length = Int(UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16
                | UInt32(data[offset + 2]) << 8 | UInt32(data[offset + 3]))
            marks.append(length == 0 ? 0 : data[offset + 4 + 14])
            offset += 4 + length
        }
        return marks
    }
}
