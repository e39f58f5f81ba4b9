import Foundation
import Glibc
import Testing

/// Two network namespaces whose only link is `tapring run` joining their taps
/// through a hub, as a user would run it.
@Suite(.enabled(if: Kernel.hasNamespaces, Kernel.namespacesReason))
struct NamespaceTests {
    @Test func pingCrossesTheHub() throws {
        let link = try NamespaceLink()
        let output = try Kernel.run(
            "/usr/sbin/ip",
            ["netns", "exec", link.namespaces[0], "ping", "-c", "3", "-i", "0.2", "-W", "2", link.addresses[1]])
        #expect(output.contains("3 received"))
    }
}

/// `tapring run` with two taps on hub 0, each moved into a namespace of its
/// own and given an address there.
final class NamespaceLink {
    let namespaces = [Kernel.uniqueName("trna"), Kernel.uniqueName("trnb")]
    let addresses = ["10.231.0.1", "10.231.0.2"]
    private let process = Process()

    init() throws {
        let taps = [Kernel.uniqueName("trn"), Kernel.uniqueName("trn")]
        process.executableURL = TapRingBinary.url
        process.arguments = ["run", "--stats", "0"] + Kernel.hubOptions(taps)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try Kernel.waitForInterfaces(taps, createdBy: process)
        try Kernel.moveIntoNamespaces(taps, namespaces, addresses: addresses)
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        for namespace in namespaces {
            try? Kernel.ip("netns", "del", namespace)
        }
    }
}

/// The `tapring` executable built beside the test bundle.
enum TapRingBinary {
    static let url = URL(fileURLWithPath: CommandLine.arguments[0])
        .deletingLastPathComponent().appendingPathComponent("tapring")

    /// Runs `tapring` with `arguments` to its end, standard input
    /// `/dev/null`: its exit status and standard error (standard output is
    /// dropped).
    static func run(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
