import Testing

@testable import TapRing
@testable import TapRingOptions

struct LaneTests {
    private static func withLane(capacity: Int, _ body: (Lane) throws -> Void) rethrows {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Lane.byteCount(capacity: capacity), alignment: 128)
        defer { memory.deallocate() }
        try body(Lane(at: memory, capacity: capacity))
    }

    @Test func entriesAreInvisibleUntilPublished() {
        Self.withLane(capacity: 4) { lane in
            var producer = LaneProducer(lane)
            var consumer = LaneConsumer(lane)
            producer.append(1)
            let beforePublishing = consumer.next()
            let published = producer.publish()
            let publishedAgain = producer.publish()
            let taken = [consumer.next(), consumer.next()]
            #expect(beforePublishing == nil)
            #expect(published && !publishedAgain)
            #expect(taken == [1, nil])
        }
    }

    @Test func roomReturnsOnlyOnceTheConsumerReleases() {
        Self.withLane(capacity: 4) { lane in
            var producer = LaneProducer(lane)
            var consumer = LaneConsumer(lane)
            for value in 0..<4 where producer.hasRoom() {
                producer.append(UInt64(value))
            }
            let roomWhenFull = producer.hasRoom()
            _ = producer.publish()
            let taken = [consumer.next(), consumer.next()]
            let roomBeforeRelease = producer.hasRoom()
            let released = consumer.release()
            let room = producer.room()
            #expect(!roomWhenFull)
            #expect(taken == [0, 1])
            #expect(!roomBeforeRelease, "taken entries hold their room until released")
            #expect(released && room == 2)
        }
    }

    @Test func keepsOrderAcrossManyWraps() {
        Self.withLane(capacity: 8) { lane in
            var producer = LaneProducer(lane)
            var consumer = LaneConsumer(lane)
            var next: UInt64 = 0
            var expected: UInt64 = 0
            for round in 0..<1000 {
                while producer.hasRoom() && next < expected + UInt64(round % 8 + 1) {
                    producer.append(next)
                    next += 1
                }
                _ = producer.publish()
                while let value = consumer.next() {
                    #expect(value == expected)
                    expected += 1
                }
                _ = consumer.release()
            }
            #expect(expected == next && next > 3000)
        }
    }
}
