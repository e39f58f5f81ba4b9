import Foundation
import Glibc
import Testing

/// An empty datagram to a datagram netdev, on a hub of two of them. QEMU 7.2
/// takes it for the end of the connection: that netdev forwards nothing it
/// receives from then on, the empty datagram included, and still sends what
/// the hub gives it. TapRing must do the same.
@Suite(.serialized)
struct DatagramEndTests {
    static let kinds = [
        "socket,id=a,udp=127.0.0.1:{peerA},localaddr=127.0.0.1:{portA}",
        "dgram,id=a,local.type=inet,local.host=127.0.0.1,local.port={portA},"
            + "remote.type=inet,remote.host=127.0.0.1,remote.port={peerA}",
    ]

    @Test(arguments: kinds.indices)
    func anEmptyDatagramEndsOnlyThatNetdevsReads(kind: Int) throws {
        try replay(forwarder: .tapring, Self.kinds[kind])
    }

    /// The same scenario against QEMU 7.2 itself: the expectations are its behaviour.
    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"), arguments: kinds.indices)
    func qemuDoesTheSame(kind: Int) throws {
        try replay(forwarder: .qemu, Self.kinds[kind])
    }

    private func replay(forwarder: Forwarder, _ netdev: String) throws {
        let port = 20_000 + Int(getpid() % 10_000) + Int.random(in: 0..<20_000)
        let options = [
            "-netdev", netdev.replacingOccurrences(of: "{portA}", with: "\(port)")
                .replacingOccurrences(of: "{peerA}", with: "\(port + 1)"),
            "-netdev", "hubport,id=pa,hubid=0,netdev=a",
            "-netdev", "socket,id=b,udp=127.0.0.1:\(port + 3),localaddr=127.0.0.1:\(port + 2)",
            "-netdev", "hubport,id=pb,hubid=0,netdev=b",
        ]
        let peerA = try SocketFarEnd.datagram(local: SocketFarEnd.inet("127.0.0.1", port + 1),
                                              remote: SocketFarEnd.inet("127.0.0.1", port))
        let peerB = try SocketFarEnd.datagram(local: SocketFarEnd.inet("127.0.0.1", port + 3),
                                              remote: SocketFarEnd.inet("127.0.0.1", port + 2))
        let process = try forwarder.launch(options)
        defer { forwarder.stop(process) }
        try Kernel.waitFor("its sockets", createdBy: process) {
            [port, port + 2].allSatisfy { Kernel.portIsBound($0, transport: "udp") }
        }

        try peerA.send(Self.frame(1))
        #expect(peerB.receive(count: 1, timeout: 2).map { $0[14] } == [1])
        try peerA.send([])
        usleep(200_000)
        try peerA.send(Self.frame(2))
        // Neither the empty datagram nor anything after it comes through ...
        #expect(peerB.receive(count: 1, timeout: 1).isEmpty)
        // ... while the netdev still sends.
        try peerB.send(Self.frame(3))
        #expect(peerA.receive(count: 1, timeout: 2).map { $0[14] } == [3])
    }

    /// A broadcast frame of 60 bytes whose 15th byte is `mark`.
    static func frame(_ mark: UInt8) -> [UInt8] {
        [UInt8](repeating: 0xff, count: 6) + [2, 0, 0, 0, 0, 1, 0x88, 0xb5] + [UInt8](repeating: mark, count: 46)
    }
}
