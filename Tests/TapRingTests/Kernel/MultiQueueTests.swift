import Foundation
import Testing
@testable import TapRing
@testable import TapRingOptions

/// Where each queue of a multi-queue tap lives, and where its frames go.
struct QueueLayoutTests {
    @Test func queuesSpreadOverReactorsAndStayOnTheirOwn() {
        // Two 2-queue taps and an e1000, on one hub, over two reactors.
        let layout = QueueLayout(queues: [2, 2, 1], hubRoutes: [[1, 2], [0, 2], [0, 1]], reactorCount: 2)
        #expect(layout.ports == [[0, 1], [2, 3], [4]])
        #expect(layout.homes == [0, 1, 0, 1, 0])
        // Queue to the queue of the same reactor; to the NIC from either.
        #expect(layout.routes == [[2, 4], [3, 4], [0, 4], [1, 4], [0, 2]])
    }

    @Test func singleQueuePortsAreDealtOutInTurn() {
        let layout = QueueLayout(queues: [1, 1, 1], hubRoutes: [[1, 2], [0, 2], [0, 1]], reactorCount: 2)
        #expect(layout.homes == [0, 1, 0])
        #expect(layout.routes == [[1, 2], [0, 2], [0, 1]])
    }

    @Test func socketsLiveWhereTheirFirstSourceDoes() {
        // Taps 0 and 2 and socket 1 on one hub, socket 3 on a hub of its own.
        let layout = QueueLayout(queues: [1, 1, 1, 1], hubRoutes: [[1, 2], [0, 2], [0, 1], []], reactorCount: 2,
                                 followers: [1, 3])
        #expect(layout.homes == [0, 0, 1, 0])
        // Two sockets on a hub: the first is dealt out, the second follows it.
        let pair = QueueLayout(queues: [1, 1], hubRoutes: [[1], [0]], reactorCount: 2, followers: [0, 1])
        #expect(pair.homes == [0, 0])
    }

    @Test func moreQueuesThanReactorsShareThem() {
        let layout = QueueLayout(queues: [4, 1], hubRoutes: [[1], [0]], reactorCount: 2)
        #expect(layout.homes == [0, 1, 0, 1, 0])
        #expect(layout.routes == [[4], [4], [4], [4], [0]])
    }
}

/// `queues=N` taps against the kernel: N queues on the interface, and
/// every frame of many flows through, in order within each flow.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason), .serialized)
struct MultiQueueTests {
    static let flows = 64

    @Test func framesOfManyFlowsCrossTwoQueueTapsInOrder() throws {
        let hub = try TapHub(ports: 2, tapOptions: ",queues=2", configuration: {
            var configuration = EngineConfiguration()
            configuration.reactorCount = 2
            return configuration
        }())
        for name in hub.names {
            #expect(FileManager.default.fileExists(atPath: "/sys/class/net/\(name)/queues/tx-1"))
        }
        let frames = (0..<2000).map { Self.udpFrame(flow: $0 % Self.flows, sequence: $0 / Self.flows) }
        try Kernel.ip("link", "set", hub.names[0], "txqueuelen", "5000")
        try frames.forEach(hub.sockets[0].send)
        let arrived = hub.sockets[1].receive(count: frames.count, timeout: 5, etherType: 0x0800)
        #expect(arrived.count == frames.count)
        #expect(Set(arrived) == Set(frames))
        // Within a flow, frames keep their order.
        var last: [Int: Int] = [:]
        for frame in arrived {
            let flow = Int(frame[42]), sequence = Int(frame[43]) << 8 | Int(frame[44])
            #expect(sequence > last[flow, default: -1], "flow \(flow) reordered")
            last[flow] = sequence
        }
        // The kernel spread the flows over both queues: their qdiscs each sent a share.
        let queueShares = try Self.framesSentPerQueue(hub.names[0])
        #expect(queueShares.count == 2 && queueShares.allSatisfy { $0 > frames.count / 8 }, "\(queueShares)")
        let statistics = hub.engine.statistics()
        #expect(statistics.map(\.netdev) == ["t0", "t1"])
        #expect(statistics[0].framesIn == UInt64(frames.count) && statistics[1].framesOut == UInt64(frames.count))
    }

    @Test func moreQueuesThanReactorsStillCarryEveryFrame() throws {
        let hub = try TapHub(ports: 2, tapOptions: ",queues=4", configuration: {
            var configuration = EngineConfiguration()
            configuration.reactorCount = 2
            return configuration
        }())
        let frames = (0..<1000).map { Self.udpFrame(flow: $0 % Self.flows, sequence: $0 / Self.flows) }
        try frames.forEach(hub.sockets[0].send)
        let arrived = hub.sockets[1].receive(count: frames.count, timeout: 5, etherType: 0x0800)
        #expect(Set(arrived) == Set(frames) && arrived.count == frames.count)
    }

    /// Frames each queue's qdisc sent, from `tc -s qdisc`: the mq root's
    /// children, one per queue.
    static func framesSentPerQueue(_ interface: String) throws -> [Int] {
        let output = try Kernel.run("/usr/sbin/tc", ["-s", "qdisc", "show", "dev", interface])
        let lines = output.split(separator: "\n")
        return zip(lines, lines.dropFirst()).compactMap { qdisc, statistics in
            guard qdisc.contains("parent :"), let sent = statistics.split(separator: " ").firstIndex(of: "pkt") else {
                return nil
            }
            return Int(statistics.split(separator: " ")[sent - 1])
        }
    }

    /// A UDP/IPv4 frame of flow `flow` (its source port): the kernel's tun
    /// driver hashes the addresses and ports to pick the queue.
    static func udpFrame(flow: Int, sequence: Int) -> [UInt8] {
        var frame: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00]
        frame += [0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0, 10, 200, 0, 1, 10, 200, 0, 2]
        let port = 10000 + flow
        frame += [UInt8(port >> 8), UInt8(port & 0xFF), 0, 9, 0, 12, 0, 0]
        frame += [UInt8(flow), UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0]
        return frame + [UInt8](repeating: 0, count: 64 - frame.count)
    }
}
