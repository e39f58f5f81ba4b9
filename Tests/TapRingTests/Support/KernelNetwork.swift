import CLinux
import Foundation
import Glibc
import Synchronization
import Testing

/// What tests with real kernel objects need, and why they skip without it.
enum Kernel {
    /// Taps need root (CAP_NET_ADMIN) and a usable `/dev/net/tun`.
    static let hasTaps: Bool = {
        guard getuid() == 0 else { return false }
        let descriptor = open("/dev/net/tun", O_RDWR)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }()

    static let tapsReason: Comment = "needs root and /dev/net/tun to create taps"

    /// Network namespaces need taps, `ip` and `ping` besides.
    static let hasNamespaces: Bool = hasTaps && ["/usr/sbin/ip", "/usr/bin/ping"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static let namespacesReason: Comment = "needs root, /dev/net/tun, iproute2 and ping for network namespaces"

    private static let nextName = Atomic<Int>(0)

    /// An interface or namespace name unique to this test process, under
    /// IFNAMSIZ; tests run in parallel.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)\(getpid() % 10000)n\(nextName.add(1, ordering: .relaxed).newValue)"
    }

    /// Runs `ip` with `arguments` and fails the test's setup when it fails.
    static func ip(_ arguments: String...) throws {
        try run("/usr/sbin/ip", arguments)
    }

    /// Runs a program to completion; throws with its output when it fails.
    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw KernelError("\(path) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// Brings `interface` up with IPv6 off, so the kernel sends nothing of
    /// its own through it.
    static func bringUp(_ interface: String) throws {
        try? String("1").write(
            toFile: "/proc/sys/net/ipv6/conf/\(interface)/disable_ipv6", atomically: false, encoding: .utf8)
        try ip("link", "set", interface, "up")
    }

    static func interfaceExists(_ name: String) -> Bool {
        if_nametoindex(name) != 0
    }

    /// `-netdev tap` for each of `taps` (named t0, t1, …, with no scripts),
    /// each on hub 0 through a hub port.
    static func hubOptions(_ taps: [String]) -> [String] {
        taps.enumerated().flatMap { index, tap in
            ["-netdev", "tap,id=t\(index),ifname=\(tap),script=no,downscript=no",
             "-netdev", "hubport,id=p\(index),hubid=0,netdev=t\(index)"]
        }
    }

    /// Whether every interface of `names` is gone within `seconds`. A closed
    /// tap's interface goes once the kernel takes the RTNL lock, which other
    /// tests' namespaces and links may hold for a while.
    static func interfacesGone(_ names: [String], within seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while names.contains(where: interfaceExists) {
            guard Date() < deadline else { return false }
            usleep(20_000)
        }
        return true
    }

    /// Waits up to 10 s for `process`, a `tapring run`, to create `names`.
    static func waitForInterfaces(_ names: [String], createdBy process: Process) throws {
        try waitFor("\(names)", createdBy: process) { names.allSatisfy(interfaceExists) }
    }

    /// Waits up to 10 s for `process`, a forwarder, to make what `isMade`
    /// looks for; `what` names it when it does not.
    static func waitFor(_ what: String, createdBy process: Process, _ isMade: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        let name = process.executableURL?.lastPathComponent ?? "the forwarder"
        while !isMade() {
            guard Date() < deadline, process.isRunning else { throw KernelError("\(name) did not create \(what)") }
            usleep(20_000)
        }
    }

    /// Whether a socket of this network namespace has local port `port`;
    /// `transport` is `tcp` or `udp`, the table in /proc/net that lists it.
    static func portIsBound(_ port: Int, transport: String) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/net/\(transport)", encoding: .utf8) else { return false }
        let suffix = String(format: ":%04X", port)
        // Each line after the heading: "sl: local_address rem_address st ...".
        return table.split(separator: "\n").dropFirst().contains { line in
            line.split(separator: " ").dropFirst().first?.hasSuffix(suffix) == true
        }
    }

    /// Moves each tap into a new namespace of its own, with its address (a
    /// /24) and loopback up.
    static func moveIntoNamespaces(_ taps: [String], _ namespaces: [String], addresses: [String]) throws {
        for (index, namespace) in namespaces.enumerated() {
            try ip("netns", "add", namespace)
            try ip("link", "set", taps[index], "netns", namespace)
            try ip("-n", namespace, "addr", "add", "\(addresses[index])/24", "dev", taps[index])
            try ip("-n", namespace, "link", "set", taps[index], "up")
            try ip("-n", namespace, "link", "set", "lo", "up")
        }
    }
}

struct KernelError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// An AF_PACKET socket on one interface: frames sent through it leave the
/// interface toward whatever reads the tap; frames received are what the
/// interface got, in the local experimental ethertype tests use.
final class PacketSocket {
    static let testEtherType: UInt16 = 0x88B5

    private let descriptor: Int32
    private let interfaceIndex: Int32

    init(interface: String) throws {
        interfaceIndex = Int32(if_nametoindex(interface))
        guard interfaceIndex != 0 else { throw KernelError("no interface \(interface)") }
        // Protocol 0 receives nothing until bind() names the interface and the
        // protocol: with ETH_P_ALL here, frames of every interface would
        // queue up in the meantime.
        descriptor = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0)
        guard descriptor >= 0 else { throw KernelError("socket(AF_PACKET): \(String(cString: strerror(errno)))") }
        // Tests read a port only after a whole burst went out; the default
        // buffer holds about 200 small frames.
        var bufferSize: Int32 = 32 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = UInt16(ETH_P_ALL).bigEndian
        address.sll_ifindex = interfaceIndex
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw KernelError("bind(AF_PACKET, \(interface)): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(descriptor)
    }

    /// A test frame: broadcast, from a locally administered address, the test
    /// ethertype, and `payload`, zero-padded to `length` bytes.
    static func frame(payload: [UInt8], length: Int = 64) -> [UInt8] {
        var frame = [UInt8](repeating: 0xFF, count: 6) + [0x02, 0, 0, 0, 0, 0x01]
        frame += [UInt8(testEtherType >> 8), UInt8(testEtherType & 0xFF)] + payload
        return frame + [UInt8](repeating: 0, count: max(0, length - frame.count))
    }

    func send(_ frame: [UInt8]) throws {
        let sent = frame.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
        guard sent == frame.count else { throw KernelError("send: \(String(cString: strerror(errno)))") }
    }

    /// Frames of the test ethertype (or `etherType`) that arrive on the
    /// interface within `timeout` seconds, stopping early at `count`; the
    /// socket's own outgoing frames are left out.
    func receive(count: Int, timeout: Double, etherType: UInt16 = testEtherType) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        while frames.count < count {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
            var address = sockaddr_ll()
            var addressLength = socklen_t(MemoryLayout<sockaddr_ll>.size)
            let received = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, $0, &addressLength)
                    }
                }
            }
            guard received >= 14, address.sll_pkttype != PACKET_OUTGOING else { continue }
            let frame = Array(buffer[0..<received])
            if UInt16(frame[12]) << 8 | UInt16(frame[13]) == etherType {
                frames.append(frame)
            }
        }
        return frames
    }
}

/// Nil when `received` is `sent`; otherwise where they first differ, briefly,
/// since frame dumps would drown the test report.
func difference(_ received: [[UInt8]], _ sent: [[UInt8]]) -> String? {
    guard received != sent else { return nil }
    if let index = (0..<min(received.count, sent.count)).first(where: { received[$0] != sent[$0] }) {
        return "frame \(index) of \(sent.count) differs: \(received[index].count) bytes received, "
            + "\(sent[index].count) sent, payload \(received[index][14..<min(17, received[index].count)])"
    }
    return "\(received.count) of \(sent.count) frames arrived"
}
