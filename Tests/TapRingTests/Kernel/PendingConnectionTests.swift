import Foundation
import Glibc
import Testing

@testable import TapRing
@testable import TapRingOptions

/// A stream client whose server does not answer yet as the forwarder
/// starts: the server's backlog is full, so the kernel drops the client's
/// SYN and sends it again a second later. QEMU 7.2 connects in the
/// background and forwards meanwhile; TapRing waits
/// `SocketNetdev.connectionPatience`, then leaves the connection to its
/// reactor. Once the server accepts, both carry frames.
@Suite struct PendingConnectionTests {
    @Test func tapringConnectsOnceTheServerAnswers() throws {
        try replay(.tapring)
    }

    /// The same against QEMU 7.2 itself: the expectations are its behaviour.
    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"))
    func qemuDoesTheSame() throws {
        try replay(.qemu)
    }

    @Test func theEngineStartsWithoutWaitingForTheServer() throws {
        let server = try BusyServer()
        let started = ContinuousClock.now
        let engine = try Engine(try NetworkPlan.parse([
            "-netdev", server.client, "-netdev", "hubport,id=pc,hubid=0,netdev=c",
        ]))
        try engine.start()
        defer { engine.stop() }
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(engine.warnings.isEmpty)
    }

    private func replay(_ forwarder: Forwarder) throws {
        let server = try BusyServer()
        let port = 20_000 + Int(getpid() % 10_000) + Int.random(in: 0..<20_000)
        let process = try forwarder.launch([
            "-netdev", server.client, "-netdev", "hubport,id=pc,hubid=0,netdev=c",
            "-netdev", "dgram,id=d,local.type=inet,local.host=127.0.0.1,local.port=\(port),"
                + "remote.type=inet,remote.host=127.0.0.1,remote.port=\(port + 1)",
            "-netdev", "hubport,id=pd,hubid=0,netdev=d",
        ])
        defer { forwarder.stop(process) }
        usleep(1_500_000)
        #expect(process.isRunning, "\(forwarder) ended with status \(process.terminationStatus)")

        try server.freeBacklog()
        let connection = try SocketFarEnd.accepting(on: server.listener, timeout: 8)
        let peer = try SocketFarEnd.datagram(local: SocketFarEnd.inet("127.0.0.1", port + 1),
                                             remote: SocketFarEnd.inet("127.0.0.1", port))
        let frame = DatagramEndTests.frame(7)
        try connection.send(frame)
        #expect(peer.receive(count: 1, timeout: 3) == [frame])
    }
}

/// A TCP server on loopback whose backlog one connection fills.
private final class BusyServer {
    private let server: LoopbackListener
    private let filler: Int32
    /// The `-netdev stream` client of it, netdev `c`.
    let client: String
    var listener: Int32 { server.descriptor }

    init() throws {
        server = try LoopbackListener(backlog: 0)
        filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = SocketFarEnd.inet("127.0.0.1", server.port).withUnsafeBytes { [filler] in
            connect(filler, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard connected == 0 else { throw KernelError("connect: \(Self.lastError)") }
        client = "stream,id=c,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=\(server.port)"
    }

    deinit {
        close(filler)
    }

    /// Accepts and closes the connection that filled the backlog.
    func freeBacklog() throws {
        let accepted = accept(listener, nil, nil)
        guard accepted >= 0 else { throw KernelError("accept: \(Self.lastError)") }
        close(accepted)
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
