import Testing

@testable import TapRing
@testable import TapRingOptions

/// The hub's data path without the kernel: frames fan out through the lanes
/// and every slot comes home once its last copy is written.
struct CrossbarTests {
    /// A fabric of `ports` ports on one hub, dealt over `reactors` reactors.
    private static func fabric(ports: Int, reactors: Int, arena: borrowing FrameArena, slots: Int, lane: Int = 8)
        -> Fabric.Storage
    {
        let routes = (0..<ports).map { port in (0..<ports).filter { $0 != port } }
        return Fabric.Storage(
            ports: (0..<ports).map {
                PortDescription(home: $0 % reactors, kind: .tap(PortKind.Tap(descriptor: -1)))
            },
            routes: routes, reactorCount: reactors, arena: arena.view, slotsPerReactor: slots,
            laneCapacity: lane, doorbells: Array(repeating: -1, count: reactors))
    }

    @Test(arguments: [1, 2])
    func everySlotComesHomeAfterFanOut(reactors: Int) throws {
        let slots = 16
        let arena = try FrameArena(slotSize: 256, slotCount: slots * reactors)
        let storage = Self.fabric(ports: 4, reactors: reactors, arena: arena, slots: slots)
        var first = Crossbar(reactor: 0, fabric: storage.fabric)
        var second = Crossbar(reactor: reactors - 1, fabric: storage.fabric)
        for round in 0..<100 {
            let free = first.pool.take()
            let slot = try #require(free)
            let accepted = first.deliver(Frame(slot: slot, length: UInt32(60 + round)), from: 0)
            #expect(accepted == 3)
            _ = first.publishDeliveries()
            var written: [Int] = []
            for reactor in Set([0, reactors - 1]).sorted() {
                let crossbar = reactor == 0 ? first.ports : second.ports
                for local in crossbar.indices {
                    let frame = reactor == 0
                        ? first.nextFrame(for: local, from: 0) : second.nextFrame(for: local, from: 0)
                    if let frame {
                        #expect(frame == Frame(slot: slot, length: UInt32(60 + round)))
                        written.append(crossbar[local])
                        if reactor == 0 { first.release(frame.slot) } else { second.release(frame.slot) }
                    }
                }
            }
            #expect(written.sorted() == [1, 2, 3], "round \(round)")
            _ = first.releaseConsumedRoom()
            _ = second.releaseConsumedRoom()
            _ = first.collectReturnedSlots()
        }
        let free = first.pool.count
        #expect(free == slots)
    }

    @Test func fullLanesDropAndCountWithoutLeaking() throws {
        let arena = try FrameArena(slotSize: 256, slotCount: 64)
        let storage = Self.fabric(ports: 2, reactors: 1, arena: arena, slots: 64, lane: 8)
        var crossbar = Crossbar(reactor: 0, fabric: storage.fabric)
        var accepted = 0
        for _ in 0..<12 {
            let slot = crossbar.pool.take()!
            accepted += crossbar.deliver(Frame(slot: slot, length: 60), from: 0)
        }
        #expect(accepted == 8)
        var statistics = PortStatistics(netdev: "b", interface: "b")
        storage.fabric.addCounters(for: 1, to: &statistics)
        #expect(statistics.drops == 4)
        let roomWhenFull = crossbar.room(from: 0)
        let freeWhenFull = crossbar.pool.count
        #expect(roomWhenFull == 0)
        #expect(freeWhenFull == 64 - 8, "dropped frames give their slots back at once")
        _ = crossbar.publishDeliveries()
        while let frame = crossbar.nextFrame(for: 1, from: 0) {
            crossbar.release(frame.slot)
        }
        _ = crossbar.releaseConsumedRoom()
        let free = crossbar.pool.count
        let room = crossbar.room(from: 0)
        #expect(free == 64)
        #expect(room == 8)
    }

    @Test func aPortWithoutRouteDropsSilently() throws {
        let arena = try FrameArena(slotSize: 256, slotCount: 8)
        let storage = Fabric.Storage(
            ports: [PortDescription(home: 0, kind: .tap(PortKind.Tap(descriptor: -1)))],
            routes: [[]], reactorCount: 1, arena: arena.view, slotsPerReactor: 8, laneCapacity: 8, doorbells: [-1])
        var crossbar = Crossbar(reactor: 0, fabric: storage.fabric)
        let slot = crossbar.pool.take()!
        let accepted = crossbar.deliver(Frame(slot: slot, length: 60), from: 0)
        let free = crossbar.pool.count
        let room = crossbar.room(from: 0)
        #expect(accepted == 0)
        #expect(free == 8)
        #expect(room == .max)
    }
}
