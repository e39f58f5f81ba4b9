import Foundation
import Glibc
import Testing

/// Socket netdevs between two forwarders, each with a tap and a socket on
/// hub 0: frames injected on either tap arrive byte-exact, in order, on the
/// other, every size a netdev carries among them. One side is a real QEMU 7.2 where one is installed, and the test
/// says why it skips where it is not; TapRing also meets TapRing.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason), .serialized)
struct SocketInteropTests {
    /// Each case: the socket options of the two sides, the first listening
    /// where one does; streams and datagrams, with -netdev socket and with
    /// QEMU 7.2's -netdev stream and dgram.
    static let pairs: [(first: String, second: String)] = [
        ("socket,id=s,listen=127.0.0.1:{port}", "socket,id=s,connect=127.0.0.1:{port}"),
        ("socket,id=s,udp=127.0.0.1:{peer},localaddr=127.0.0.1:{port}",
         "socket,id=s,udp=127.0.0.1:{port},localaddr=127.0.0.1:{peer}"),
        ("stream,id=s,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port={port}",
         "stream,id=s,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port={port}"),
        ("stream,id=s,server=on,addr.type=unix,addr.path=/tmp/tapring-test-{port}.sock",
         "stream,id=s,server=off,addr.type=unix,addr.path=/tmp/tapring-test-{port}.sock"),
        ("dgram,id=s,local.type=inet,local.host=127.0.0.1,local.port={port},"
            + "remote.type=inet,remote.host=127.0.0.1,remote.port={peer}",
         "dgram,id=s,local.type=inet,local.host=127.0.0.1,local.port={peer},"
            + "remote.type=inet,remote.host=127.0.0.1,remote.port={port}"),
    ]

    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"),
          arguments: pairs.indices, [true, false])
    func tapRingMeetsQEMU(pair: Int, qemuListens: Bool) throws {
        try exchange(first: qemuListens ? .qemu : .tapring, second: qemuListens ? .tapring : .qemu, Self.pairs[pair])
    }

    @Test(arguments: pairs.indices)
    func tapRingMeetsTapRing(pair: Int) throws {
        try exchange(first: .tapring, second: .tapring, Self.pairs[pair])
    }

    @Test func multicastGroupMembersHearEachOther() throws {
        // On loopback: without localaddr= the group is reached through the default route's interface.
        let group = "socket,id=s,mcast=230.0.0.1:{port},localaddr=127.0.0.1"
        try exchange(first: .tapring, second: .tapring, (group, group), expectsEcho: true)
    }

    private func exchange(first: Forwarder, second: Forwarder, _ pair: (first: String, second: String),
                          expectsEcho: Bool = false) throws {
        let port = 20_000 + Int(getpid() % 10_000) + Int.random(in: 0..<20_000)
        let options = [pair.first, pair.second].map {
            $0.replacingOccurrences(of: "{port}", with: "\(port)")
                .replacingOccurrences(of: "{peer}", with: "\(port + 1)")
        }
        // QEMU, killed, leaves its Unix listener's file; tapring removes its own.
        defer { unlink("/tmp/tapring-test-\(port).sock") }
        let taps = [Kernel.uniqueName("tri"), Kernel.uniqueName("tri")]
        // The listening side first: a stream's other side connects as it starts.
        let firstProcess = try first.start(tap: taps[0], socket: options[0])
        defer { first.stop(firstProcess) }
        let secondProcess = try second.start(tap: taps[1], socket: options[1])
        defer { second.stop(secondProcess) }
        let sockets = try taps.map { tap in
            // Room on the kernel side for the longest frame a tap carries.
            try Kernel.ip("link", "set", tap, "mtu", "65521")
            try Kernel.bringUp(tap)
            return try PacketSocket(interface: tap)
        }
        usleep(300_000)
        for (from, to) in [(0, 1), (1, 0)] {
            let frames = (0..<64).map { sequence in
                PacketSocket.frame(payload: [UInt8(from), UInt8(sequence)]
                                       + (0..<16).map { _ in UInt8.random(in: 0...255) },
                                   length: [60, 64, 333, 1514][sequence % 4])
            }
            for frame in frames { try sockets[from].send(frame) }
            let arrived = sockets[to].receive(count: frames.count, timeout: 5)
            #expect(difference(arrived, frames) == nil, "\(options[from]) → \(options[to])")
            if expectsEcho {
                // QEMU loops multicast back to its own socket, and so echoes a tap's frames to it.
                #expect(difference(sockets[from].receive(count: frames.count, timeout: 2), frames) == nil)
            } else {
                #expect(sockets[from].receive(count: 1, timeout: 0.2).isEmpty, "a frame came back to its source")
            }
            // Then every size a netdev carries, one at a time: a burst of
            // 64 KiB datagrams would overflow a socket's receive buffer.
            let longest = options[from].contains("udp=") || options[from].contains("dgram") || expectsEcho
                ? FrameSizeTests.longestDatagram : Int.max
            for (sequence, size) in FrameSizeTests.sizes.map({ min($0, longest) }).enumerated() {
                let frame = FrameSizeTests.frame(direction: UInt8(from), sequence: UInt8(sequence), length: size)
                try sockets[from].send(frame)
                let arrived = FrameSizeTests.receive(on: sockets[to], sentFrom: UInt8(from))
                #expect(FrameSizeTests.mismatch(arrived, FrameSizeTests.padded(frame)) == nil,
                        "\(options[from]) → \(options[to]): \(size) bytes")
                if expectsEcho { _ = FrameSizeTests.receive(on: sockets[from], sentFrom: UInt8(from)) }
            }
        }
    }
}

extension Forwarder {
    /// Starts the forwarder with a tap named `tap` and the socket netdev
    /// `socket` (id `s`) on hub 0, once the tap exists.
    fileprivate func start(tap: String, socket: String) throws -> Process {
        let process = try launch([
            "-netdev", "tap,id=t,ifname=\(tap),script=no,downscript=no", "-netdev", socket,
            "-netdev", "hubport,id=p0,hubid=0,netdev=t", "-netdev", "hubport,id=p1,hubid=0,netdev=s",
        ])
        let deadline = Date().addingTimeInterval(10)
        while !Kernel.interfaceExists(tap) {
            guard Date() < deadline, process.isRunning else { throw KernelError("\(self) did not create \(tap)") }
            usleep(20_000)
        }
        // The socket netdev follows the tap: a listener or a bound socket
        // is waited for, a client given time to connect.
        if let isMade = Self.socketIsMade(socket) {
            try Kernel.waitFor(socket, createdBy: process, isMade)
        }
        usleep(200_000)
        return process
    }

    /// What tells that the forwarder has made the socket of `option`, for a
    /// listener and a bound datagram socket; nil for a client.
    private static func socketIsMade(_ option: String) -> (() -> Bool)? {
        let fields = Dictionary(option.split(separator: ",").compactMap { field -> (String, String)? in
            let parts = field.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }, uniquingKeysWith: { first, _ in first })
        func port(_ address: String?) -> Int? { address?.split(separator: ":").last.flatMap { Int($0) } }
        if let listening = port(fields["listen"]) { return { Kernel.portIsBound(listening, transport: "tcp") } }
        if let bound = port(fields["localaddr"]) ?? fields["local.port"].flatMap({ Int($0) }) ?? port(fields["mcast"]) {
            return { Kernel.portIsBound(bound, transport: "udp") }
        }
        guard fields["server"] == "on" else { return nil }
        if let path = fields["addr.path"] { return { access(path, F_OK) == 0 } }
        return fields["addr.port"].flatMap { Int($0) }.map { listening in
            { Kernel.portIsBound(listening, transport: "tcp") }
        }
    }
}
