import Foundation
import Glibc
import Testing

/// What an inet address of `-netdev stream` asks of its socket, beyond a
/// host and a port: `to=`, the last port a server may take when the first
/// is in use, and `keep-alive=`, TCP keep-alives on a client's connection.
/// Checked against QEMU 7.2 itself: the expectations are its behaviour.
@Suite struct StreamInetOptionsTests {
    static let forwarders: [Forwarder] = QEMUProcess.isInstalled ? [.tapring, .qemu] : [.tapring]

    @Test(arguments: forwarders)
    func aServerTakesTheNextFreePortThroughTo(forwarder: Forwarder) throws {
        let taken = try LoopbackListener()
        let port = taken.port
        let process = try forwarder.launch([
            "-netdev", "stream,id=s,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=\(port),addr.to=\(port + 2)",
        ])
        defer { forwarder.stop(process) }
        // `connecting` tries for a few seconds while the forwarder starts.
        _ = try SocketFarEnd.connecting(to: SocketFarEnd.inet("127.0.0.1", port + 1))
        #expect(!Self.canConnect(port: port + 2), "\(forwarder) listens on a second port")
    }

    @Test(arguments: forwarders)
    func keepAliveSetsTheClientsTimer(forwarder: Forwarder) throws {
        let server = try LoopbackListener()
        let process = try forwarder.launch([
            "-netdev", "stream,id=c,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=\(server.port),"
                + "addr.keep-alive=on",
        ])
        defer { forwarder.stop(process) }
        let connection = try SocketFarEnd.accepting(on: server.descriptor, timeout: 5)
        // QEMU sets the option once its connection is made, in its own time.
        var timer: String?
        for _ in 0..<100 where timer != Self.keepAliveTimer {
            usleep(20_000)
            timer = try Self.timer(ofConnectionTo: server.port)
        }
        #expect(timer == Self.keepAliveTimer)
        withExtendedLifetime(connection) {}
    }

    /// `/proc/net/tcp`'s code for a socket whose keep-alive timer runs.
    private static let keepAliveTimer = "02"

    /// The timer of the established connection to local `port` from the
    /// forwarder's side, as `/proc/net/tcp` shows it (its `tr` field).
    private static func timer(ofConnectionTo port: Int) throws -> String? {
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let remote = "0100007F:" + String(format: "%04X", port)
        let rows: [[Substring]] = table.split(separator: "\n").dropFirst().map { $0.split(separator: " ") }
        let established = rows.first { row in row.count > 5 && row[2] == remote && row[3] == "01" }
        return established.map { String($0[5].prefix(2)) }
    }

    private static func canConnect(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        return SocketFarEnd.inet("127.0.0.1", port).withUnsafeBytes {
            connect(descriptor, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        } == 0
    }
}
