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
            "/usr/sbin/ip", ["netns", "exec", link.namespaces[0], "ping", "-c", "3", "-i", "0.2", "-W", "2", link.addresses[1]])
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
        process.arguments = ["run", "--stats", "0"] + taps.enumerated().flatMap { index, tap in
            ["-netdev", "tap,id=t\(index),ifname=\(tap),script=no,downscript=no",
             "-netdev", "hubport,id=p\(index),hubid=0,netdev=t\(index)"]
        }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !taps.allSatisfy(Kernel.interfaceExists) {
            guard Date() < deadline, process.isRunning else { throw KernelError("tapring run did not create \(taps)") }
            usleep(20_000)
        }
        for (index, namespace) in namespaces.enumerated() {
            try Kernel.ip("netns", "add", namespace)
            try Kernel.ip("link", "set", taps[index], "netns", namespace)
            try Kernel.ip("-n", namespace, "addr", "add", "\(addresses[index])/24", "dev", taps[index])
            try Kernel.ip("-n", namespace, "link", "set", taps[index], "up")
            try Kernel.ip("-n", namespace, "link", "set", "lo", "up")
        }
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
}
