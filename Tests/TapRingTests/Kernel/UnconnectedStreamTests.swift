import Foundation
import Glibc
import Testing

@testable import TapRing

/// A socket client whose server is not there, and stream netdevs that cannot
/// listen or connect. QEMU 7.2 connects `-netdev socket,connect=` without
/// waiting, and does all a `-netdev stream` needs in the background, from
/// resolving its address to connecting; when that fails, it runs on with the
/// netdev unconnected for good. So does TapRing, saying so in a warning and
/// counting the frames it drops.
@Suite struct UnconnectedStreamTests {
    /// A port on loopback that nothing listens on (QEMU's and TapRing's
    /// sockets of the other tests take theirs above 20,000).
    private static let closedPort = 1

    static let netdevs = [
        "socket,id=c,connect=127.0.0.1:\(closedPort)",
        "stream,id=c,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=\(closedPort)",
        "stream,id=c,server=off,addr.type=unix,addr.path=/nonexistent/tapring-stream",
        // A descriptor the forwarder does not have, and one by a monitor's name.
        "stream,id=c,server=off,addr.type=fd,addr.str=1000",
        "stream,id=c,server=off,addr.type=fd,addr.str=netfd",
        "stream,id=c,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=no-such-service",
        "stream,id=c,server=off,addr.type=vsock,addr.cid=x,addr.port=5",
        // Servers: an address of no interface, a path in no directory or too
        // long for a socket, a descriptor that is not there.
        "stream,id=c,server=on,addr.type=inet,addr.host=192.0.2.1,addr.port=9",
        "stream,id=c,server=on,addr.type=unix,addr.path=/nonexistent/tapring-stream",
        "stream,id=c,server=on,addr.type=unix,addr.path=/tmp/" + String(repeating: "x", count: 110),
        "stream,id=c,server=on,addr.type=fd,addr.str=1000",
    ]

    @Test(arguments: netdevs.indices)
    func tapringRunsOn(netdev: Int) throws {
        try expectRunsOn(.tapring, Self.netdevs[netdev])
    }

    /// The same against QEMU 7.2 itself: the expectation is its behaviour.
    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"), arguments: netdevs.indices)
    func qemuRunsOn(netdev: Int) throws {
        try expectRunsOn(.qemu, Self.netdevs[netdev])
    }

    private func expectRunsOn(_ forwarder: Forwarder, _ netdev: String) throws {
        let process = try forwarder.launch(["-netdev", netdev, "-netdev", "hubport,id=p,hubid=0,netdev=c"])
        defer { forwarder.stop(process) }
        usleep(1_000_000)
        #expect(process.isRunning, "\(forwarder) ended with status \(process.terminationStatus)")
    }

    /// The warning names the option and the error; frames the hub sends the
    /// netdev are dropped and counted.
    @Test func theWarningNamesTheOptionAndFramesAreDropped() throws {
        let port = 20_000 + Int(getpid() % 10_000) + Int.random(in: 0..<20_000)
        let client = Self.netdevs[0]
        let plan = try NetworkPlan.parse([
            "-netdev", client, "-netdev", "hubport,id=pc,hubid=0,netdev=c",
            "-netdev", "socket,id=d,udp=127.0.0.1:\(port + 1),localaddr=127.0.0.1:\(port)",
            "-netdev", "hubport,id=pd,hubid=0,netdev=d",
        ])
        let engine = try Engine(plan)
        #expect(engine.warnings == [
            "-netdev \(client): can't connect socket: Connection refused; "
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

    /// A stream server's warning names what failed in QEMU's background.
    @Test func aServerThatCannotListenSaysWhy() throws {
        let server = Self.netdevs[8]
        let engine = try Engine(try NetworkPlan.parse(["-netdev", server]))
        #expect(engine.warnings == [
            "-netdev \(server): can't bind unix=/nonexistent/tapring-stream to socket: No such file or directory; "
                + "the netdev stays unconnected and drops its frames, as QEMU 7.2's does",
        ])
    }
}
