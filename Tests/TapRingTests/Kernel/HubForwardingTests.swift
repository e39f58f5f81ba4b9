import Foundation
import Testing

@testable import TapRing
import TapRingHarness
@testable import TapRingOptions

/// Frames injected on the kernel side of one tap leave through every other
/// port of the hub, byte for byte and in order, and never through the source.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct HubForwardingTests {
    @Test(arguments: [2, 3, 4])
    func everyOtherPortGetsEachFrameInOrder(ports count: Int) throws {
        let hub = try TapHub(ports: count)
        let framesPerSource = 300
        for source in 0..<count {
            let sent = (0..<framesPerSource).map { sequence in
                PacketSocket.frame(
                    payload: [UInt8(source), UInt8(sequence >> 8), UInt8(sequence & 0xFF)],
                    length: [60, 64, 128, 591, 1514][sequence % 5])
            }
            for frame in sent {
                try hub.sockets[source].send(frame)
            }
            for port in 0..<count where port != source {
                let received = hub.sockets[port].receive(count: framesPerSource, timeout: 5)
                #expect(difference(received, sent) == nil, "port \(port) from source \(source)")
            }
            #expect(hub.sockets[source].receive(count: 1, timeout: 0.2).isEmpty, "source \(source) got its own frames")
        }
        let statistics = hub.engine.statistics()
        for port in 0..<count {
            #expect(statistics[port].framesIn == UInt64(framesPerSource))
            #expect(statistics[port].framesOut == UInt64(framesPerSource * (count - 1)))
            #expect(statistics[port].drops == 0 && statistics[port].errors == 0)
        }
    }

    @Test func portsOfDifferentHubsDoNotMeet() throws {
        let names = (0..<3).map { _ in Kernel.uniqueName("trh") }
        let plan = try NetworkPlan.parse(
            names.enumerated().flatMap { index, name in
                ["-netdev", "tap,id=t\(index),ifname=\(name),script=no,downscript=no",
                 "-netdev", "hubport,id=p\(index),hubid=\(index == 2 ? 1 : 0),netdev=t\(index)"]
            })
        let engine = try Engine(plan)
        try engine.start()
        try names.forEach(Kernel.bringUp)
        let sockets = try names.map(PacketSocket.init(interface:))
        let frame = PacketSocket.frame(payload: [7])
        try sockets[0].send(frame)
        #expect(sockets[1].receive(count: 1, timeout: 2) == [frame])
        #expect(sockets[2].receive(count: 1, timeout: 0.3).isEmpty)
    }
}

/// `count` taps on hub 0, forwarded by an engine, each up with a packet
/// socket on its kernel side.
struct TapHub {
    let engine: Engine
    let names: [String]
    let sockets: [PacketSocket]

    init(ports count: Int, tapOptions: String = "", configuration: EngineConfiguration = .init()) throws {
        names = (0..<count).map { _ in Kernel.uniqueName("trh") }
        let options = names.enumerated().flatMap { index, name in
            ["-netdev", "tap,id=t\(index),ifname=\(name),script=no,downscript=no\(tapOptions)",
             "-netdev", "hubport,id=p\(index),hubid=0,netdev=t\(index)"]
        }
        engine = try Engine(try NetworkPlan.parse(options), configuration: configuration)
        try engine.start()
        try names.forEach(Kernel.bringUp)
        sockets = try names.map(PacketSocket.init(interface:))
    }
}

@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct ReadPathTests {
    /// Frames keep their bytes whether a tap carries a vnet header or not, and
    /// whichever way they cross between the two kinds.
    @Test func vnetHeaderTapsAndPlainTapsExchangeFrames() throws {
        let names = [Kernel.uniqueName("trv"), Kernel.uniqueName("trv"), Kernel.uniqueName("trv")]
        let plan = try NetworkPlan.parse([
            "-netdev", "tap,id=a,ifname=\(names[0]),script=no,downscript=no,vnet_hdr=on",
            "-netdev", "tap,id=b,ifname=\(names[1]),script=no,downscript=no,vnet_hdr=on",
            "-netdev", "tap,id=c,ifname=\(names[2]),script=no,downscript=no,vnet_hdr=off",
            "-netdev", "hubport,id=pa,hubid=0,netdev=a", "-netdev", "hubport,id=pb,hubid=0,netdev=b",
            "-netdev", "hubport,id=pc,hubid=0,netdev=c",
        ])
        let engine = try Engine(plan)
        try engine.start()
        try names.forEach(Kernel.bringUp)
        let sockets = try names.map(PacketSocket.init(interface:))
        for source in 0..<3 {
            let frames = (0..<50).map { PacketSocket.frame(payload: [UInt8(source), UInt8($0)], length: 60 + $0 * 29) }
            try frames.forEach(sockets[source].send)
            for port in 0..<3 where port != source {
                #expect(difference(sockets[port].receive(count: frames.count, timeout: 5), frames) == nil)
            }
        }
    }

    @Test func multishotReadsForwardLikeFixedReads() throws {
        var configuration = EngineConfiguration()
        configuration.readMode = .multishot
        let hub = try TapHub(ports: 3, configuration: configuration)
        let frames = (0..<1000).map { PacketSocket.frame(payload: [UInt8($0 >> 8), UInt8($0 & 0xFF)]) }
        try frames.forEach(hub.sockets[0].send)
        #expect(difference(hub.sockets[1].receive(count: frames.count, timeout: 5), frames) == nil)
        #expect(difference(hub.sockets[2].receive(count: frames.count, timeout: 5), frames) == nil)
    }

    /// A bounded send buffer makes the engine link each port's writes, so a
    /// write that parks cannot be overtaken. The burst outruns the parked
    /// writes, and the source tap's own queue drops some: the rest must
    /// still arrive in order.
    @Test func boundedSendBufferKeepsOrder() throws {
        let hub = try TapHub(ports: 2, tapOptions: ",sndbuf=64k")
        let frames = (0..<2000).map { PacketSocket.frame(payload: [UInt8($0 >> 8), UInt8($0 & 0xFF)], length: 1514) }
        try frames.forEach(hub.sockets[0].send)
        let sequence = hub.sockets[1].receive(count: frames.count, timeout: 3).map { Int($0[14]) << 8 | Int($0[15]) }
        #expect(sequence.count >= 1000)
        #expect(zip(sequence, sequence.dropFirst()).allSatisfy { $0 < $1 }, "frames overtook each other")
    }
}
