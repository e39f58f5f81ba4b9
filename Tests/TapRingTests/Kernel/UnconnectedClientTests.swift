import Foundation
import Glibc
import Testing

@testable import TapRing

/// A socket or stream client whose server is not there. QEMU 7.2 connects
/// without waiting (`-netdev socket,connect=`) or in the background
/// (`-netdev stream,server=off`) and, when that fails, runs on with the
/// netdev unconnected for good; so does TapRing, saying so in a warning and
/// counting the frames it drops.
@Suite(.serialized)
struct UnconnectedClientTests {
    /// A port on loopback that nothing listens on (QEMU's and TapRing's
    /// sockets of the other tests take theirs above 20,000).
    private static let closedPort = 1

    static let clients = [
        "socket,id=c,connect=127.0.0.1:\(closedPort)",
        "stream,id=c,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=\(closedPort)",
        "stream,id=c,server=off,addr.type=unix,addr.path=/nonexistent/tapring-stream",
        // A descriptor the forwarder does not have.
        "stream,id=c,server=off,addr.type=fd,addr.str=1000",
    ]

    @Test(arguments: clients.indices)
    func tapringRunsOn(client: Int) throws {
        try expectRunsOn(.tapring, Self.clients[client])
    }

    /// The same against QEMU 7.2 itself: the expectation is its behaviour.
    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"), arguments: clients.indices)
    func qemuRunsOn(client: Int) throws {
        try expectRunsOn(.qemu, Self.clients[client])
    }

    private func expectRunsOn(_ forwarder: Forwarder, _ client: String) throws {
        let process = try forwarder.launch(["-netdev", client, "-netdev", "hubport,id=p,hubid=0,netdev=c"])
        defer { forwarder.stop(process) }
        usleep(1_000_000)
        #expect(process.isRunning, "\(forwarder) ended with status \(process.terminationStatus)")
    }

    /// The warning names the option and the error; frames the hub sends the
    /// netdev are dropped and counted.
    @Test func theWarningNamesTheOptionAndFramesAreDropped() throws {
        let port = 20_000 + Int(getpid() % 10_000) + Int.random(in: 0..<20_000)
        let client = Self.clients[0]
        let plan = try NetworkPlan.parse([
            "-netdev", client, "-netdev", "hubport,id=pc,hubid=0,netdev=c",
            "-netdev", "socket,id=d,udp=127.0.0.1:\(port + 1),localaddr=127.0.0.1:\(port)",
            "-netdev", "hubport,id=pd,hubid=0,netdev=d",
        ])
        let engine = try Engine(plan)
        #expect(engine.warnings == [
            "-netdev \(client): can't connect socket to 127.0.0.1:\(Self.closedPort): Connection refused; "
                + "the netdev stays unconnected and drops its frames, as QEMU 7.2's does",
        ])
        try engine.start()
        defer { engine.stop() }
        let peer = try SocketFarEnd.datagram(local: SocketFarEnd.inet("127.0.0.1", port + 1),
                                             remote: SocketFarEnd.inet("127.0.0.1", port))
        for mark in 1...3 {
            try peer.send(DatagramEndTests.frame(UInt8(mark)))
        }
        var dropped: UInt64 = 0
        for _ in 0..<100 where dropped < 3 {
            usleep(20_000)
            dropped = engine.statistics().first { $0.netdev == "c" }?.drops ?? 0
        }
        #expect(dropped == 3)
    }
}
