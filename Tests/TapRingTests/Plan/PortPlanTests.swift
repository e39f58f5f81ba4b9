import Testing

@testable import TapRingOptions
@testable import TapRingPlan

/// What the engine decides from a command line, before it opens anything:
/// no root, no taps, only the plan.
@Suite struct PortPlanTests {
    /// Taps `t0`… (with `options` after each) and, when `nic`, an e1000, all
    /// on hub 0.
    static func hub(taps: Int, options: [String] = [], nic: Bool = false) throws -> NetworkPlan {
        var words: [String] = []
        for tap in 0..<taps {
            let extra = tap < options.count ? options[tap] : ""
            words += ["-netdev", "tap,id=t\(tap),ifname=plan\(tap),script=no,downscript=no\(extra)",
                      "-netdev", "hubport,id=p\(tap),hubid=0,netdev=t\(tap)"]
        }
        if nic { words += ["-netdev", "hubport,id=pn,hubid=0", "-device", "e1000,netdev=pn"] }
        return try NetworkPlan.parse(words)
    }

    @Test func aHubSendsEachFrameToEveryOtherPortAndNeverBack() throws {
        let plan = PortPlan(try Self.hub(taps: 2, nic: true), reactors: 2, reactorLimit: 64, gsoFrames: true)
        // Hub ports are routes, not ports: the two taps, then the NIC.
        #expect(plan.ports == [.netdev(0), .netdev(2), .device(0)])
        #expect(plan.routes == [[1, 2], [0, 2], [0, 1]])
        #expect(plan.queues == [1, 1, 1])
        #expect(plan.reactorCount == 2)
        #expect(plan.layout.homes == [0, 1, 0])
    }

    @Test func tapsThatReachEachOtherCarryGSOFramesAndSoDoesANICThatReachesOnlyThem() throws {
        let plan = PortPlan(try Self.hub(taps: 2, nic: true), reactors: 2, reactorLimit: 64, gsoFrames: true)
        #expect(plan.offloads == [0, 1])
        #expect(plan.gsoNICs == [2])
    }

    @Test func aTapWithoutAVnetHeaderLeavesItsPeerWithoutOffloads() throws {
        let plan = PortPlan(
            try Self.hub(taps: 2, options: [",vnet_hdr=off"], nic: true), reactors: 2, reactorLimit: 64,
            gsoFrames: true)
        #expect(plan.offloads.isEmpty)
        #expect(plan.gsoNICs.isEmpty)
    }

    @Test func readsIntoSmallSlotsCarryNoGSOFrames() throws {
        let plan = PortPlan(try Self.hub(taps: 2, nic: true), reactors: 2, reactorLimit: 64, gsoFrames: false)
        #expect(plan.offloads.isEmpty)
        #expect(plan.gsoNICs.isEmpty)
    }

    @Test func reactorsAreNoMoreThanQueuesNorTheLimitAndAtLeastOne() throws {
        #expect(PortPlan(try Self.hub(taps: 1), reactors: 8, reactorLimit: 64, gsoFrames: true).reactorCount == 1)
        #expect(PortPlan(try Self.hub(taps: 4), reactors: 8, reactorLimit: 3, gsoFrames: true).reactorCount == 3)
        #expect(PortPlan(try Self.hub(taps: 4), reactors: 0, reactorLimit: 64, gsoFrames: true).reactorCount == 1)
    }

    @Test func aSocketLivesOnTheReactorOfTheTapItTakesFramesFrom() throws {
        let words = [
            "-netdev", "tap,id=t0,ifname=plan0,script=no,downscript=no", "-netdev", "hubport,id=p0,hubid=0,netdev=t0",
            "-netdev", "dgram,id=d,local.type=inet,local.host=127.0.0.1,local.port=5000,remote.type=inet,"
                + "remote.host=127.0.0.1,remote.port=5001",
            "-netdev", "hubport,id=p1,hubid=0,netdev=d",
            "-netdev", "tap,id=t1,ifname=plan1,script=no,downscript=no", "-netdev", "hubport,id=p2,hubid=0,netdev=t1",
        ]
        let plan = PortPlan(try NetworkPlan.parse(words), reactors: 2, reactorLimit: 64, gsoFrames: true)
        #expect(plan.ports.count == 3)
        // The taps are dealt out; the socket goes where the first tap lives.
        #expect(plan.layout.homes == [0, 0, 1])
    }

    @Test func eachQueueOfAMultiQueueTapKeepsItsFlowsOnOneReactor() throws {
        let plan = PortPlan(
            try Self.hub(taps: 2, options: [",queues=2", ",queues=2"]), reactors: 2, reactorLimit: 64,
            gsoFrames: true)
        #expect(plan.queues == [2, 2])
        #expect(plan.portCount == 4)
        #expect(plan.layout.ports == [[0, 1], [2, 3]])
        #expect(plan.layout.homes == [0, 1, 0, 1])
        // Queue q of one tap goes to queue q of the other: the same reactor.
        #expect(plan.layout.routes == [[2], [3], [0], [1]])
    }

    @Test func aPlanWhosePeersDoNotNameEachOtherIsRefusedByName() throws {
        var plan = try Self.hub(taps: 2)
        plan.netdevs[0].peer = 3
        #expect(throws: EngineError.self) { try plan.checkConsistency() }
        do {
            try plan.checkConsistency()
        } catch {
            #expect(error.location == plan.netdevs[0].location)
            #expect(error.description.contains("not a netdev whose peer is this one"))
        }
    }
}
