import Foundation
import Glibc
import Testing

@testable import TapRing
import TapRingHarness
@testable import TapRingOptions

/// The engine under faults: a tap deleted under it, a buffer ring run dry, a
/// full submission queue, a peer that stops reading. Each time the rest of
/// the network keeps forwarding, every frame is delivered or counted, and
/// the engine recovers without a restart.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct FaultInjectionTests {
    @Test func aDeletedTapGoesDownWhileTheOthersForward() throws {
        let taps = (0..<3).map { _ in Kernel.uniqueName("trf") }
        let run = try ReportingRun(Kernel.hubOptions(taps), creating: taps)
        let sockets = try taps.prefix(2).map { tap in
            try Kernel.bringUp(tap)
            return try PacketSocket(interface: tap)
        }
        try Kernel.ip("link", "del", taps[2])
        let frames = (0..<500).map { PacketSocket.frame(payload: [7, UInt8($0 >> 8), UInt8($0 & 0xFF)]) }
        try frames.forEach(sockets[0].send)
        #expect(difference(sockets[1].receive(count: frames.count, timeout: 5), frames) == nil)

        let (status, ports) = try run.stop(with: SIGINT)
        #expect(status == 0)
        #expect(ports.map(\.down) == [false, false, true])
        // Every frame for the deleted tap is written, failed or dropped.
        #expect(ports[2].framesOut == 0 && ports[2].drops + ports[2].errors >= 500)
        // The engine removed the taps it created.
        #expect(!taps.contains(where: Kernel.interfaceExists))
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStopsTheEngineWithFinalStatistics(signal: Int32) throws {
        let tap = Kernel.uniqueName("trg")
        let run = try ReportingRun(["-netdev", "tap,id=t,ifname=\(tap),script=no,downscript=no"], creating: [tap])
        let (status, ports) = try run.stop(with: signal)
        #expect(status == 0)
        #expect(ports.map(\.netdev) == ["t"])
        #expect(!Kernel.interfaceExists(tap), "the tap TapRing made outlived it")
    }

    @Test func aBufferRingRunDryRecovers() throws {
        var configuration = EngineConfiguration()
        configuration.readMode = .multishot
        configuration.slotsPerReactor = 48
        configuration.readDepth = 32
        let hub = try TapHub(ports: 2, configuration: configuration)
        let burst = (0..<3000).map { PacketSocket.frame(payload: [1, UInt8($0 >> 8), UInt8($0 & 0xFF)]) }
        let droppedBefore = Kernel.statistic(hub.names[0], "tx_dropped")
        try burst.forEach(hub.sockets[0].send)
        let arrived = hub.sockets[1].receive(count: burst.count, timeout: 3)
        // The ring ran dry (-ENOBUFS) and frames waited in the tap; what its
        // queue could not hold the kernel dropped and counted there.
        let dropped = Kernel.statistic(hub.names[0], "tx_dropped") - droppedBefore
        let sequence = arrived.map { Int($0[15]) << 8 | Int($0[16]) }
        #expect(zip(sequence, sequence.dropFirst()).allSatisfy { $0 < $1 }, "frames overtook each other")
        let drops = hub.engine.statistics().reduce(0) { $0 + $1.drops }
        #expect(UInt64(arrived.count) + drops + dropped == UInt64(burst.count))
        // And it goes on.
        let after = (0..<100).map { PacketSocket.frame(payload: [2, UInt8($0)]) }
        try after.forEach(hub.sockets[0].send)
        #expect(difference(hub.sockets[1].receive(count: after.count, timeout: 3), after) == nil)
    }

    @Test func aFullSubmissionQueueIsSubmittedAndGoesOn() throws {
        // Four ports that keep 2,048 reads each in flight: more than the
        // 4,096 entries a reactor's ring is given.
        var configuration = EngineConfiguration()
        configuration.readDepth = 2048
        configuration.reactorCount = 1
        let hub = try TapHub(ports: 4, configuration: configuration)
        // Room in the source tap's queue for the whole burst.
        try Kernel.ip("link", "set", hub.names[0], "txqueuelen", "10000")
        let frames = (0..<2000).map { PacketSocket.frame(payload: [3, UInt8($0 >> 8), UInt8($0 & 0xFF)]) }
        try frames.forEach(hub.sockets[0].send)
        for port in 1..<4 {
            #expect(difference(hub.sockets[port].receive(count: frames.count, timeout: 5), frames) == nil)
        }
    }

    /// Runs in a `tapring run` of its own, whose memory it measures: tests
    /// that run beside it in this process would add to this one's.
    @Test func aPeerThatStopsReadingCostsOnlyItsOwnFrames() throws {
        let path = NSTemporaryDirectory() + Kernel.uniqueName("trs") + ".sock"
        let listener = try StalledPeer(path: path)
        let taps = [Kernel.uniqueName("trs"), Kernel.uniqueName("trs")]
        let run = try ReportingRun(Kernel.hubOptions(taps) + [
            "-netdev", "stream,id=stalled,server=off,addr.type=unix,addr.path=\(path)",
            "-netdev", "hubport,id=ps,hubid=0,netdev=stalled",
        ], creating: taps)
        try listener.acceptConnection()
        let sockets = try taps.map { tap in
            try Kernel.bringUp(tap)
            return try PacketSocket(interface: tap)
        }

        // Nobody reads the socket's other end: its buffer fills, then its
        // queue, then its frames are dropped; the other tap gets them all.
        // The engine made the buffer deep (`SocketNetdev.sendBufferBytes`,
        // which the kernel doubles), so it takes more than a buffer's worth
        // to see the queue fill: full-size frames, so that a buffer's worth
        // is few of them.
        let count = (2 * Int(SocketNetdev.sendBufferBytes) / 1514 / 500 + 10) * 500
        let frames = (0..<count).map { (index: Int) in
            let number = withUnsafeBytes(of: UInt32(index).bigEndian, Array.init)
            return PacketSocket.frame(payload: [4] + number, length: 1514)
        }
        let residentBefore = Kernel.residentBytes(of: run.process.processIdentifier)
        var firstDifference: String?
        for chunk in stride(from: 0, to: frames.count, by: 500) {
            let sent = Array(frames[chunk..<chunk + 500])
            try sent.forEach(sockets[0].send)
            let arrived = sockets[1].receive(count: 500, timeout: 5)
            firstDifference = firstDifference ?? difference(arrived, sent).map { "from frame \(chunk) on: \($0)" }
        }
        #expect(firstDifference == nil)
        let residentAfter = Kernel.residentBytes(of: run.process.processIdentifier)

        let stalled = try #require(try run.stop(with: SIGINT).ports.first { $0.netdev == "stalled" })
        #expect(stalled.drops > 0)
        // What the socket neither sent nor dropped still waited in its queue,
        // which is bounded.
        let waiting = count - Int(stalled.framesOut) - Int(stalled.drops)
        #expect((0...EngineConfiguration().queueCapacity * 2).contains(waiting))
        // AddressSanitizer's quarantine holds freed memory back: no measure of ours there.
        #expect(Sanitizer.isActive || residentAfter - residentBefore < 64 << 20)
    }
}

/// `tapring run --json --stats 0` on some options, which prints its final
/// report when a signal stops it; terminated if a test ends before that.
private final class ReportingRun {
    let process = Process()
    private let output = Pipe()

    /// Starts it on `options` and waits for it to create `interfaces`.
    init(_ options: [String], creating interfaces: [String]) throws {
        process.executableURL = TapRingBinary.url
        process.arguments = ["run", "--json", "--stats", "0"] + options
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try Kernel.waitForInterfaces(interfaces, createdBy: process)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Stops it with `signal`: its exit status and the ports of its final report.
    func stop(with signal: Int32) throws -> (status: Int32, ports: [RunReport.Port]) {
        kill(process.processIdentifier, signal)
        let report = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, try RunReport.decode(report))
    }
}

/// A Unix stream socket that takes one connection and never reads from it.
private final class StalledPeer {
    private let listener: Int32
    private var connection: Int32 = -1
    private let path: String

    init(path: String) throws {
        self.path = path
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let address = SocketFarEnd.unix(path)
        let bound = address.withUnsafeBytes {
            bind(listener, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        guard bound == 0, listen(listener, 1) == 0 else {
            close(listener)
            throw KernelError("listening on \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if connection >= 0 { close(connection) }
        close(listener)
        unlink(path)
    }

    /// Waits up to 5 s for the connection.
    func acceptConnection() throws {
        var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&waiting, 1, 5000) == 1 else { throw KernelError("no connection to \(path)") }
        connection = accept(listener, nil, nil)
        guard connection >= 0 else { throw KernelError("accept: \(String(cString: strerror(errno)))") }
    }
}

/// The final JSON of `tapring run --json`.
enum RunReport {
    struct Port: Decodable {
        var netdev: String
        var framesIn: UInt64
        var framesOut: UInt64
        var bytesOut: UInt64
        var drops: UInt64
        var errors: UInt64
        var down: Bool
    }

    private struct Report: Decodable {
        var ports: [Port]
    }

    static func decode(_ data: Data) throws -> [Port] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Report.self, from: data).ports
    }
}

extension Kernel {
    /// A counter of `/sys/class/net/INTERFACE/statistics`.
    static func statistic(_ interface: String, _ name: String) -> UInt64 {
        let text = try? String(contentsOfFile: "/sys/class/net/\(interface)/statistics/\(name)", encoding: .utf8)
        return text.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    /// The resident set of process `pid`, in bytes.
    static func residentBytes(of pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}
