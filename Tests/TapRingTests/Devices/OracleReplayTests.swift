import Foundation
import Testing

/// Every fixture scenario, played by the oracle against `tapring qtest`,
/// prints QEMU 7.2's trace. One at a time: several scenarios time interrupt
/// mitigation windows, which a loaded machine could stretch.
@Suite(.serialized, .enabled(if: OracleReplay.hasPython, "needs python3 to run the e1000 oracle"))
struct OracleReplayTests {
    @Test(arguments: OracleReplay.scenarios)
    func printsQEMUsTrace(scenario: String) throws {
        let trace = try OracleReplay.run(scenario)
        let golden = try String(contentsOf: OracleReplay.fixtures.appendingPathComponent("golden/\(scenario).txt"),
                                encoding: .utf8)
        let mismatch = zip(trace.split(separator: "\n"), golden.split(separator: "\n")).enumerated()
            .first { $0.element.0 != $0.element.1 }
        #expect(trace == golden, """
            first difference at line \(mismatch.map { $0.offset + 1 } ?? 0): \
            \(mismatch.map { String($0.element.0.prefix(120)) } ?? "length differs")
            """)
    }

    /// A fixture folder that moved must fail the run, not give zero cases.
    @Test func fixturesArePresent() throws {
        let scenarios = try OracleReplay.listing.get()
        #expect(scenarios.count >= 40, "\(scenarios.count) scenarios in \(OracleReplay.fixtures.path)")
        for scenario in scenarios {
            let golden = OracleReplay.fixtures.appendingPathComponent("golden/\(scenario).txt").path
            #expect(FileManager.default.fileExists(atPath: golden), "no golden trace for \(scenario)")
        }
    }
}

enum OracleReplay {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/e1000")

    static let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// The scenarios in the fixtures, or why they could not be listed.
    static let listing = Result {
        try FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent("scenarios").path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The test's arguments; `fixturesArePresent` fails when there are none.
    static let scenarios = (try? listing.get()) ?? []

    /// The `-device` driver and extra properties of `scenario`: those of
    /// `scenarios/NAME.device` where there is one, which QEMU's trace was
    /// recorded with, else `e1000`.
    static func device(of scenario: String) throws -> String {
        let file = fixtures.appendingPathComponent("scenarios/\(scenario).device")
        guard FileManager.default.fileExists(atPath: file.path) else { return "e1000" }
        return try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The oracle's output for `scenario` against `tapring qtest`, with the
    /// command line the issue names.
    static func run(_ scenario: String) throws -> String {
        let device = try device(of: scenario)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            fixtures.appendingPathComponent("e1000_oracle.py").path,
            fixtures.appendingPathComponent("scenarios/\(scenario).json").path, "--",
            TapRingBinary.url.path, "qtest", "-m", "64", "-netdev", "socket,id=n0,fd={fd}",
            "-device", "\(device),netdev=n0,addr=03.0,mac=52:54:00:12:34:56",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
