import Foundation
import Glibc
import Testing

/// TCP through `tapring run` with offloads on: three namespaces on one hub,
/// two behind taps that pass 64 KiB GSO frames between them, one behind a
/// tap without a vnet header, which gets them cut into segments. A file
/// sent between each pair arrives with the checksum it left with.
@Suite(.enabled(if: Kernel.hasNamespaces, Kernel.namespacesReason), .serialized)
struct OffloadTests {
    static let fileSize = 16 << 20

    @Test func tcpPayloadsArriveIntactAcrossGSOAndSegmentation() throws {
        let hub = try ThreeHostHub()
        let file = NSTemporaryDirectory() + "tapring-offload-\(getpid()).bin"
        defer { unlink(file) }
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom")).readData(ofLength: Self.fileSize)
        try random.write(to: URL(fileURLWithPath: file))
        let expected = try Kernel.run("/usr/bin/sha256sum", [file]).prefix(64)

        // GSO between two offload taps, GSO cut up toward a plain tap, and
        // plain frames from it toward an offload tap.
        for (from, to) in [(0, 1), (0, 2), (2, 0)] {
            let received = try hub.transfer(file, from: from, to: to)
            #expect(received == String(expected), "\(hub.namespaces[from]) → \(hub.namespaces[to])")
        }
        #expect(hub.gsoFramesCrossed(), "no GSO frame crossed the hub: offloads were off")
    }
}

/// `tapring run` with three taps on hub 0, each moved into a namespace of
/// its own: two with offloads, one with `vnet_hdr=off`.
final class ThreeHostHub {
    let namespaces = (0..<3).map { _ in Kernel.uniqueName("tro") }
    let taps = (0..<3).map { _ in Kernel.uniqueName("tro") }
    let addresses = ["10.232.0.1", "10.232.0.2", "10.232.0.3"]
    private let process = Process()
    private let output = Pipe()

    init() throws {
        process.executableURL = TapRingBinary.url
        process.arguments = ["run", "--json", "--stats", "0"] + taps.enumerated().flatMap { index, tap in
            ["-netdev", "tap,id=t\(index),ifname=\(tap),script=no,downscript=no\(index == 2 ? ",vnet_hdr=off" : "")",
             "-netdev", "hubport,id=p\(index),hubid=0,netdev=t\(index)"]
        }
        process.standardOutput = output
        try process.run()
        try Kernel.waitForInterfaces(taps, createdBy: process)
        try Kernel.moveIntoNamespaces(taps, namespaces, addresses: addresses)
    }

    deinit {
        if process.isRunning { process.terminate() }
        for namespace in namespaces {
            try? Kernel.ip("netns", "del", namespace)
        }
    }

    /// Sends `file` over TCP from host `from` to host `to`; returns the
    /// SHA-256 of what arrived.
    func transfer(_ file: String, from: Int, to: Int) throws -> String {
        let port = 5201 + from * 3 + to
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        server.arguments = ["netns", "exec", namespaces[to], "python3", "-c", """
            import hashlib, socket
            listener = socket.create_server(("\(addresses[to])", \(port)))
            connection, _ = listener.accept()
            digest = hashlib.sha256()
            while chunk := connection.recv(1 << 20):
                digest.update(chunk)
            print(digest.hexdigest(), flush=True)
            """]
        let answer = Pipe()
        server.standardOutput = answer
        try server.run()
        usleep(300_000)
        try Kernel.run("/usr/sbin/ip", ["netns", "exec", namespaces[from], "python3", "-c", """
            import socket
            connection = socket.create_connection(("\(addresses[to])", \(port)), timeout=30)
            with open("\(file)", "rb") as source:
                connection.sendfile(source)
            connection.close()
            """])
        let digest = String(decoding: answer.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        server.waitUntilExit()
        return digest.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether frames larger than any MTU crossed between the offload taps:
    /// the engine's byte counts per frame tell GSO frames from segments.
    func gsoFramesCrossed() -> Bool {
        process.interrupt()
        let report = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let ports = try? RunReport.decode(report), ports.count == 3 else { return false }
        return ports[1].framesOut > 0 && ports[1].bytesOut / ports[1].framesOut > 1514
    }
}
