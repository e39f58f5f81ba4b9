import Foundation
import Glibc
import Testing

/// Frames of every size a netdev carries, from a bare Ethernet header to a
/// tap's longest, go through every kind of netdev and every pair of them on
/// a hub, in both directions, byte for byte; none is cut. What a tap reads
/// is padded to 60 bytes first, as QEMU pads it.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason), .serialized)
struct FrameSizeTests {
    static let sizes = [14, 60, 1514, 2033, 4096, 9000, 65535]
    /// The longest UDP datagram over IPv4, which bounds what a UDP socket carries.
    static let longestDatagram = 65507

    /// The netdevs QEMU 7.2 has that TapRing runs, and what plays the other
    /// end of each in the test.
    enum Kind: CaseIterable {
        case tap, vnetTap, tcpSocket, udpSocket, multicastSocket, stream, dgram

        var carriesDatagrams: Bool { [.udpSocket, .multicastSocket, .dgram].contains(self) }

        /// The `-netdev` option for netdev `id`, with `port` and `port + 1`
        /// free for it and `tap` its interface name.
        func option(id: String, port: Int, tap: String) -> String {
            switch self {
            case .tap: "tap,id=\(id),ifname=\(tap),script=no,downscript=no,vnet_hdr=off"
            case .vnetTap: "tap,id=\(id),ifname=\(tap),script=no,downscript=no,vnet_hdr=on"
            case .tcpSocket: "socket,id=\(id),listen=127.0.0.1:\(port)"
            case .udpSocket: "socket,id=\(id),udp=127.0.0.1:\(port + 1),localaddr=127.0.0.1:\(port)"
            // localaddr= keeps the group on loopback; without it the kernel
            // sends to the group through the default route's interface.
            case .multicastSocket: "socket,id=\(id),mcast=\(Self.group):\(port),localaddr=127.0.0.1"
            case .stream: "stream,id=\(id),server=on,addr.type=unix,addr.path=\(Self.socketPath(port))"
            case .dgram:
                "dgram,id=\(id),local.type=inet,local.host=127.0.0.1,local.port=\(port),"
                    + "remote.type=inet,remote.host=127.0.0.1,remote.port=\(port + 1)"
            }
        }

        /// Whether `tapring run` has made the netdev: a datagram sent to a
        /// socket not bound yet is lost.
        func isMade(port: Int, tap: String) -> Bool {
            switch self {
            case .tap, .vnetTap: Kernel.interfaceExists(tap)
            case .tcpSocket: Kernel.portIsBound(port, transport: "tcp")
            case .udpSocket, .multicastSocket, .dgram: Kernel.portIsBound(port, transport: "udp")
            case .stream: access(Self.socketPath(port), F_OK) == 0
            }
        }

        /// The test's end of the netdev, once `tapring run` has made it.
        func farEnd(port: Int, tap: String) throws -> FarEnd {
            switch self {
            case .tap, .vnetTap:
                // Room on the kernel side for the longest frame a tap carries.
                try Kernel.ip("link", "set", tap, "mtu", "65521")
                try Kernel.bringUp(tap)
                return try PacketSocket(interface: tap)
            case .tcpSocket:
                return try SocketFarEnd.connecting(to: SocketFarEnd.inet("127.0.0.1", port))
            case .udpSocket, .dgram:
                return try SocketFarEnd.datagram(
                    local: SocketFarEnd.inet("127.0.0.1", port + 1), remote: SocketFarEnd.inet("127.0.0.1", port))
            case .multicastSocket:
                return try SocketFarEnd.datagram(
                    local: SocketFarEnd.inet("0.0.0.0", port), remote: SocketFarEnd.inet(Self.group, port),
                    group: Self.group)
            case .stream:
                return try SocketFarEnd.connecting(to: SocketFarEnd.unix(Self.socketPath(port)))
            }
        }

        static let group = "230.0.9.1"

        static func socketPath(_ port: Int) -> String { "/tmp/tapring-sizes-\(port).sock" }
    }

    /// Every pair of kinds but two multicast sockets: each hears what the
    /// other sends and hands it back, forever, in QEMU as in TapRing.
    static let pairs: [(Kind, Kind)] = Kind.allCases.enumerated().flatMap { index, first in
        Kind.allCases[index...].map { (first, $0) }
    }.filter { !($0.0 == .multicastSocket && $0.1 == .multicastSocket) }

    @Test(arguments: pairs.indices)
    func everySizeArrivesWhole(pair: Int) throws {
        let kinds = [Self.pairs[pair].0, Self.pairs[pair].1]
        let port = 20_000 + Int(getpid() % 1_000) * 40 + Int.random(in: 0..<10) * 4
        let ports = [port, port + 2]
        let taps = [Kernel.uniqueName("trz"), Kernel.uniqueName("trz")]
        let netdevs = kinds.indices.flatMap { index in
            ["-netdev", kinds[index].option(id: "n\(index)", port: ports[index], tap: taps[index]),
             "-netdev", "hubport,id=p\(index),hubid=0,netdev=n\(index)"]
        }
        let process = Process()
        process.executableURL = TapRingBinary.url
        process.arguments = ["run", "--stats", "0"] + netdevs
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        try Kernel.waitFor("\(kinds)", createdBy: process) {
            kinds.indices.allSatisfy { kinds[$0].isMade(port: ports[$0], tap: taps[$0]) }
        }
        usleep(200_000)
        let ends = try kinds.indices.map { try kinds[$0].farEnd(port: ports[$0], tap: taps[$0]) }
        usleep(200_000)
        let longest = kinds.contains(where: \.carriesDatagrams) ? Self.longestDatagram : Self.sizes.last!
        for (from, to) in [(0, 1), (1, 0)] {
            for (sequence, size) in Self.sizes.map({ min($0, longest) }).enumerated() {
                let frame = Self.frame(direction: UInt8(from), sequence: UInt8(sequence), length: size)
                try ends[from].send(frame)
                let arrived = Self.receive(on: ends[to], sentFrom: UInt8(from))
                let expected = [.tap, .vnetTap].contains(kinds[from]) ? Self.padded(frame) : frame
                #expect(Self.mismatch(arrived, expected) == nil, "\(kinds[from]) → \(kinds[to]): \(size) bytes")
            }
        }
    }

    /// A frame of `length` bytes: broadcast, the test ethertype, and random
    /// bytes; its source address says where it comes from, even when it has
    /// no payload.
    static func frame(direction: UInt8, sequence: UInt8, length: Int) -> [UInt8] {
        let header: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, direction, sequence, 0x88, 0xB5]
        return header + (0..<length - header.count).map { _ in UInt8.random(in: 0...255) }
    }

    /// `frame` as it leaves QEMU's tap backend: padded with zeros to the
    /// shortest Ethernet frame (`eth_pad_short_frame`).
    static func padded(_ frame: [UInt8]) -> [UInt8] {
        frame + [UInt8](repeating: 0, count: max(0, 60 - frame.count))
    }

    /// Nil when `arrived` is `expected`, else how they differ, briefly.
    static func mismatch(_ arrived: [UInt8]?, _ expected: [UInt8]) -> String? {
        guard let arrived else { return "nothing arrived" }
        guard arrived != expected else { return nil }
        let first = zip(arrived, expected).enumerated().first { $1.0 != $1.1 }?.offset
            ?? min(arrived.count, expected.count)
        return "\(arrived.count) bytes arrived of \(expected.count), the first difference at byte \(first)"
    }

    /// The next frame from the other side that arrives at `end`, leaving
    /// out what a multicast group echoes back of the side's own frames.
    static func receive(on end: FarEnd, sentFrom direction: UInt8) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(5)
        while deadline.timeIntervalSinceNow > 0 {
            for frame in end.receive(count: 1, timeout: deadline.timeIntervalSinceNow)
            where frame.count >= 14 && frame[10] == direction {
                return frame
            }
        }
        return nil
    }
}
