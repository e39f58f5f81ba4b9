import Foundation
import Glibc
import Testing

/// `tapring bench` end to end: its frames go in on the kernel side of the
/// first tap, come out of the others and into the e1000's guest, and the
/// JSON report says how many, how fast, and with what loss and latency.
@Suite(.serialized)
struct BenchCommandTests {
    @Test(.enabled(if: Kernel.hasTaps, Kernel.tapsReason), .disabled(if: Sanitizer.isActive, Sanitizer.slowReason))
    func defaultTopologyCountsEveryPort() throws {
        // A slow rate: the tests' debug build runs beside other tests.
        let report = try bench(["--json", "--count", "4000", "--rate", "20k"])
        let result = try #require(report.results.first)
        #expect(result.forwarder == "tapring")
        #expect(result.sent == 4000)
        #expect(result.ports.map(\.port) == ["out", "e1000.0"])
        for port in result.ports {
            // A loaded machine may lose a few; nothing may come twice or out of order.
            #expect(port.frames > 3000, "\(port.port)")
            #expect(port.frames + port.loss == 4000, "\(port.port)")
            #expect(port.reordered == 0 && port.duplicates == 0, "\(port.port)")
            let latency = try #require(port.latencyMicroseconds, "\(port.port)")
            #expect(latency.p50 > 0 && latency.p50 <= latency.p99 && latency.p99 <= latency.p999)
        }
    }

    /// The soak's checks, briefly: four taps and an e1000 on one hub at full
    /// rate; on every port, each frame that did not arrive is counted as
    /// dropped somewhere, and memory stays flat (`make soak` runs it for
    /// ten minutes).
    @Test(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
    func atFullRateEveryFrameIsAccountedFor() throws {
        let options = (0..<4).flatMap { index in
            ["-netdev", "tap,id=t\(index),ifname=\(Kernel.uniqueName("trk")),script=no,downscript=no",
             "-netdev", "hubport,id=p\(index),hubid=0,netdev=t\(index)"]
        } + ["-netdev", "hubport,id=pn,hubid=0", "-device", "e1000,netdev=pn"]
        let report = try bench(["--json", "--duration", "5"] + options)
        let result = try #require(report.results.first)
        #expect(result.ports.map(\.port) == ["t1", "t2", "t3", "e1000.0"])
        for port in result.ports {
            #expect(port.unaccounted == 0 && port.duplicates == 0, "\(port.port)")
        }
        // AddressSanitizer's quarantine holds freed memory back: no measure of ours there.
        #expect(Sanitizer.isActive || result.residentMiB.end - result.residentMiB.start < 8)
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv to run the tester as an unprivileged user"),
          .disabled(if: Sanitizer.isActive, Sanitizer.slowReason))
    func withoutRootSocketPairsStandInForTaps() throws {
        let (report, errors) = try benchWithErrors(
            ["--json", "--count", "4000", "--rate", "20k"],
            prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(errors.contains("not running as root, so no taps: socket pairs in memory stand in for them"))
        let result = try #require(report.results.first)
        #expect(result.ports.map(\.port) == ["out", "e1000.0"])
        #expect(result.ports.allSatisfy { $0.frames > 3000 && $0.duplicates == 0 && $0.reordered == 0 })
    }

    @Test(.enabled(if: Kernel.hasTaps && QEMUProcess.isInstalled, "needs taps and qemu-system-x86_64"),
          .disabled(if: Sanitizer.isActive, Sanitizer.slowReason))
    func drainComparesWithQEMU() throws {
        let taps = [Kernel.uniqueName("trq"), Kernel.uniqueName("trq")]
        let options = Kernel.hubOptions(taps)
        let report = try bench(["--json", "--drain", "--count", "50000", "--compare", "qemu"] + options)
        #expect(report.results.map(\.forwarder) == ["tapring", "qemu"])
        for result in report.results {
            #expect(result.mode == "drain")
            #expect(result.ports.map(\.port) == ["t1"])
            let port = try #require(result.ports.first)
            // All of them, or the accounting says who lost the rest: the forwarder
            // (drops), or the tester's sink, held off its core on a loaded machine.
            #expect(port.frames == 50000 || (port.drops == 0 && port.unaccounted == 0 && port.sinkDrops > 0),
                    """
                    \(result.forwarder): \(port.frames) frames, \(port.drops) dropped by it, \
                    \(port.sinkDrops) by the sink, \(port.unaccounted) unaccounted
                    """)
            #expect((result.ports.first?.mpps ?? 0) > 0)
            #expect(result.cpuSeconds > 0)
        }
    }

    private func bench(_ arguments: [String]) throws -> Report {
        try benchWithErrors(arguments).report
    }

    private func benchWithErrors(_ arguments: [String],
                                 prefix: [String] = []) throws -> (report: Report, errors: String) {
        let process = Process()
        let command = prefix + [TapRingBinary.url.path, "bench"] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw KernelError("tapring bench failed: \(errorText)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return (try decoder.decode(Report.self, from: data), errorText)
    }

    struct Report: Decodable {
        struct Result: Decodable {
            struct Memory: Decodable {
                var start: Double
                var end: Double
            }

            var forwarder: String
            var mode: String
            var sent: UInt64
            var cpuSeconds: Double
            /// `resident_mi_b` in the report.
            var residentMiB: Memory
            var ports: [Port]
        }

        struct Port: Decodable {
            /// `p99_9` in the report; the snake-case conversion reads it as `p999`.
            struct Latency: Decodable {
                var p50: Double
                var p99: Double
                var p999: Double
            }

            var port: String
            var frames: UInt64
            var mpps: Double
            var gbps: Double
            var loss: UInt64
            var drops: UInt64
            var sinkDrops: UInt64
            var unaccounted: Int64
            var reordered: UInt64
            var duplicates: UInt64
            var latencyMicroseconds: Latency?
        }

        var results: [Result]
    }
}
