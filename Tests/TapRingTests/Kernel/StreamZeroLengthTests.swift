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
        let peers = try names.map { try SocketFarEnd.connecting(to: SocketFarEnd.unix("\(directory)/\($0).sock")) }
        usleep(100_000)  // the listeners accept

        try send(Self.frame(1), from: peers[0])
        try send([], from: peers[0])
        try send(Self.frame(2), from: peers[0])
        usleep(200_000)
        try send(Self.frame(3), from: peers[2])
        try send(Self.frame(4), from: peers[1])
        // b and c get frame 1 and the empty one, then nothing; a gets what they send.
        #expect(marks(receivedBy: peers[1]) == [1, 0])
        #expect(marks(receivedBy: peers[2]) == [1, 0])
        #expect(marks(receivedBy: peers[0]) == [3, 4])
    }

    /// Sends `frame` and gives the forwarder time to pass it on before the next.
    private func send(_ frame: [UInt8], from peer: SocketFarEnd) throws {
        try peer.send(frame)
        usleep(100_000)
    }

    /// The marks of the frames `peer` receives within a second; 0 for an empty frame.
    private func marks(receivedBy peer: SocketFarEnd) -> [UInt8] {
        peer.receive(count: 16, timeout: 1).map { $0.isEmpty ? 0 : $0[14] }
    }

    /// A broadcast frame of 60 bytes whose 15th byte is `mark`.
    static func frame(_ mark: UInt8) -> [UInt8] {
        [UInt8](repeating: 0xff, count: 6) + [2, 0, 0, 0, 0, 1, 0x88, 0xb5] + [UInt8](repeating: mark, count: 46)
    }
}
