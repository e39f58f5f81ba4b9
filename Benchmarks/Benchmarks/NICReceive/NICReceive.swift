import Benchmark
import CReference
import TapRing
import TapRingHarness

/// The e1000's receive path in memory: frames already in arena slots, as a
/// reactor leaves them, DMA'd into the guest's receive buffers with their
/// descriptors written back, and a guest driver model reaping the ring and
/// handing it back with one RDT write per batch of 64, all on one core.
/// Steady state must not allocate. Beside each, in the same run, the bare C
/// reference: a copy and a descriptor write-back per frame, nothing else.
let benchmarks: @Sendable () -> Void = {
    let batch = 64
    let frameRate = BenchmarkMetric.custom("Frames received per second", polarity: .prefersLarger,
        useScalingFactor: false)
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, frameRate],
        scalingFactor: .kilo,
        maxDuration: .seconds(3)
    )
    for length in [64, 1500] {
        let guest = GuestBox()
        Benchmark(
            "e1000 receive, \(length) B, batches of \(batch)",
            closure: { benchmark in
                let start = ContinuousClock.now
                for _ in benchmark.scaledIterations {
                    blackHole(guest.receiveBatch(length: length, batch: batch))
                }
                let elapsed = (ContinuousClock.now - start).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                benchmark.measurement(frameRate, Int(Double(benchmark.scaledIterations.count * batch) / seconds))
            },
            setup: { try guest.setUp(length: length) },
            teardown: { guest.tearDown() }
        )
        let reference = ReferenceBox()
        Benchmark(
            "C reference, \(length) B, batches of \(batch)",
            closure: { benchmark in
                let start = ContinuousClock.now
                var frames = 0
                for _ in benchmark.scaledIterations {
                    frames += Int(creference_receive_batch(reference.ring, Int32(batch)))
                }
                let elapsed = (ContinuousClock.now - start).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                benchmark.measurement(frameRate, Int(Double(frames) / seconds))
            },
            setup: { reference.ring = creference_ring_create(Int32(GuestBox.descriptors), 4096, Int32(length)) },
            teardown: { creference_ring_destroy(reference.ring) }
        )
    }
}

/// The C reference's ring, kept between setup and the measured closure.
final class ReferenceBox: @unchecked Sendable {
    var ring: OpaquePointer?
}

/// The NIC and its guest, kept between setup and the measured closure.
final class GuestBox: @unchecked Sendable {
    /// The receive ring's size: Linux's e1000 default (`E1000_DEFAULT_RXD`),
    /// as the guest driver model's, for the C reference too.
    static let descriptors = 256
    private var harness: InMemoryNIC?
    private var driver: E1000GuestDriver?

    func setUp(length: Int) throws {
        let driver = try E1000GuestDriver(descriptors: Self.descriptors)
        let harness = try InMemoryNIC(memory: driver.memory, interruptLine: .callback { _ in })
        driver.bringUp(harness.nic)
        // Past the second of receive holdback that follows the RCTL write.
        harness.service(now: monotonicClock() + 2_000_000_000)
        // Unicast to the NIC's own address: the exact-address filter, as most traffic meets it.
        var frame: [UInt8] = [0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x02, 0, 0, 0, 0, 1, 0x88, 0xB5]
        frame += [UInt8](repeating: 0x5A, count: length - frame.count)
        harness.fillSlots(with: frame)
        self.harness = harness
        self.driver = driver
        for _ in 0..<1000 { _ = receiveBatch(length: length, batch: 64) }
    }

    func tearDown() {
        harness = nil
        driver = nil
    }

    @inline(__always)
    func receiveBatch(length: Int, batch: Int) -> Int {
        guard let harness, let driver else { return 0 }
        _ = harness.injectFilled(count: batch, length: length)
        harness.service()
        return driver.poll(harness.nic, budget: batch)
    }
}
