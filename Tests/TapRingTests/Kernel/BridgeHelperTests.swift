import Foundation
import Glibc
import Testing

/// `-netdev bridge` and `tap,helper=`: a bridge helper opens the tap, adds
/// it to a bridge and hands TapRing its descriptor, as QEMU's does.
@Suite(.enabled(if: Kernel.hasNamespaces, Kernel.namespacesReason))
struct BridgeHelperTests {
    static let qemuHelper = "/usr/lib/qemu/qemu-bridge-helper"

    /// A ping from a namespace whose tap is on TapRing's hub reaches the
    /// address of a bridge in another namespace, whose port QEMU's own
    /// helper made.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: qemuHelper),
                   "needs QEMU's bridge helper (Debian's qemu-system-common)"))
    func pingReachesTheBridgeThroughQEMUsHelper() throws {
        let namespaces = [Kernel.uniqueName("trba"), Kernel.uniqueName("trbb")]
        let bridge = Kernel.uniqueName("trbr"), tap = Kernel.uniqueName("trbt")
        for namespace in namespaces { try Kernel.ip("netns", "add", namespace) }
        defer { for namespace in namespaces { try? Kernel.ip("netns", "del", namespace) } }
        try Kernel.ip("-n", namespaces[0], "link", "add", bridge, "type", "bridge")
        try Kernel.ip("-n", namespaces[0], "addr", "add", "10.232.0.1/24", "dev", bridge)
        try Kernel.ip("-n", namespaces[0], "link", "set", bridge, "up")

        let acl = try HelperAccessList(allowing: bridge)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespaces[0]] + acl.wrapping(TapRingBinary.url.path, [
            "run", "--stats", "0",
            "-netdev", "bridge,id=b,br=\(bridge)", "-netdev", "hubport,id=p0,hubid=0,netdev=b",
            "-netdev", "tap,id=t,ifname=\(tap),script=no,downscript=no", "-netdev", "hubport,id=p1,hubid=0,netdev=t",
        ])
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        try Self.waitFor(tap, in: namespaces[0], createdBy: process)

        let ports = try Kernel.run("/usr/sbin/ip", ["-n", namespaces[0], "-o", "link", "show", "master", bridge])
        #expect(ports.contains("tap"), "the helper's tap joined the bridge: \(ports)")
        try Kernel.ip("-n", namespaces[0], "link", "set", tap, "netns", namespaces[1])
        try Kernel.ip("-n", namespaces[1], "addr", "add", "10.232.0.2/24", "dev", tap)
        try Kernel.ip("-n", namespaces[1], "link", "set", tap, "up")
        let output = try Kernel.run(
            "/usr/sbin/ip", ["netns", "exec", namespaces[1], "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.232.0.1"])
        #expect(output.contains("3 received"))

        process.terminate()
        process.waitUntilExit()
        let left = try Kernel.run("/usr/sbin/ip", ["-n", namespaces[0], "-o", "link", "show", "master", bridge])
        #expect(left.isEmpty, "the helper's tap closed with TapRing: \(left)")
    }

    /// A helper that is a command runs under `sh -c` with QEMU's arguments
    /// after it, and inherits the socket as descriptor 3 and no descriptor
    /// of the engine, which has a tap open by then.
    @Test func commandHelperGetsQEMUsArgumentsAndOnlyTheSocket() throws {
        let directory = NSTemporaryDirectory() + "tapring-bridge-helper-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let helper = "ls -l /proc/$$/fd >\(directory)/fds; echo >\(directory)/arguments"
        let tap = Kernel.uniqueName("trbh")
        let result = try TapRingBinary.run(["run", "--stats", "0",
            "-netdev", "tap,id=t,ifname=\(tap),script=no,downscript=no",
            "-netdev", "tap,id=n0,helper=\(helper),br=trbr9"])
        // The helper sent no descriptor: QEMU then takes descriptor 0, standard input, for the tap.
        #expect(result.status != 0)
        #expect(result.errors.hasSuffix("-netdev tap,id=n0,helper=\(helper),br=trbr9: "
            + "Unable to query TUNGETIFF on FD 0: Inappropriate ioctl for device\n"), "\(result.errors)")
        let arguments = try String(contentsOfFile: directory + "/arguments", encoding: .utf8)
        #expect(arguments == "--use-vnet --fd=3 --br=trbr9\n")
        let descriptors = try String(contentsOfFile: directory + "/fds", encoding: .utf8)
        #expect(descriptors.contains(" 3 -> socket:"), "\(descriptors)")
        #expect(!descriptors.contains("/dev/net/tun") && !descriptors.contains("anon_inode"), "\(descriptors)")
    }

    @Test(arguments: [
        ("bridge,id=n0,helper=/bin/false", "bridge helper failed"),
        ("bridge,id=n0,br=br7,helper=/nonexistent/helper", "bridge helper failed"),
        ("tap,id=n0,helper=exit 3", "bridge helper failed"),
        ("bridge,id=n0,helper=/bin/true", "Unable to query TUNGETIFF on FD 0: Inappropriate ioctl for device"),
    ])
    func failingHelpersAreReportedInQEMUsWords(netdev: String, message: String) throws {
        let result = try TapRingBinary.run(["run", "-netdev", netdev])
        #expect(result.status != 0)
        #expect(result.errors.hasSuffix("-netdev \(netdev): \(message)\n"), "\(result.errors)")
    }

    /// Waits up to 10 s for `process` to create `interface` in `namespace`.
    private static func waitFor(_ interface: String, in namespace: String, createdBy process: Process) throws {
        let deadline = Date().addingTimeInterval(10)
        while (try? Kernel.run("/usr/sbin/ip", ["-n", namespace, "link", "show", interface])) == nil {
            guard Date() < deadline, process.isRunning else {
                throw KernelError("tapring run did not create \(interface)")
            }
            usleep(20_000)
        }
    }
}

/// An `/etc/qemu/bridge.conf` that allows one bridge, seen only by programs
/// run through `wrapping`: they run in a mount namespace of their own, with
/// an overlay on `/etc` that adds the file, so the machine's `/etc` stays as
/// it is.
private final class HelperAccessList {
    private let directory = NSTemporaryDirectory() + "tapring-bridge-acl-\(getpid())-\(UUID().uuidString.prefix(8))"

    init(allowing bridge: String) throws {
        try FileManager.default.createDirectory(atPath: directory + "/upper/qemu", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/work", withIntermediateDirectories: true)
        try "allow \(bridge)\n".write(toFile: directory + "/upper/qemu/bridge.conf", atomically: false, encoding: .utf8)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The argument vector that runs `program` with `arguments` under the overlay.
    func wrapping(_ program: String, _ arguments: [String]) -> [String] {
        let layers = "lowerdir=/etc,upperdir=\(directory)/upper,workdir=\(directory)/work"
        let mount = "mount -t overlay overlay -o \(layers) /etc"
        return ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                "\(mount) && exec \"$0\" \"$@\"", program] + arguments
    }
}
