import Benchmark
import TapRing
import TapRingHarness

/// The arena → hub → port queues path, without the kernel: frames read into
/// slots, delivered to every other port's lane, taken off and released, in
/// batches of 64 as a reactor moves them. Steady state must not allocate.
let benchmarks: @Sendable () -> Void = {
    let batch = 64
    let frameRate = BenchmarkMetric.custom("Frames in per second", polarity: .prefersLarger, useScalingFactor: false)
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .instructions, frameRate],
        scalingFactor: .kilo,
        maxDuration: .seconds(3)
    )
    for (ports, length) in [(2, 64), (2, 1500), (4, 64)] {
        let hub = HubBox()
        Benchmark(
            "hub path, \(ports) ports, \(length) B, batches of \(batch)",
            closure: { benchmark in
                let start = ContinuousClock.now
                for _ in benchmark.scaledIterations {
                    blackHole(hub.hub!.forward(batch, batch: batch))
                }
                let elapsed = (ContinuousClock.now - start).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                benchmark.measurement(frameRate, Int(Double(benchmark.scaledIterations.count * batch) / seconds))
            },
            setup: {
                hub.hub = try InMemoryHub(ports: ports, frameLength: length)
                _ = hub.hub!.forward(65_536)
            },
            teardown: { hub.hub = nil }
        )
    }
}

/// Holds the hub between setup and the measured closure.
final class HubBox: @unchecked Sendable {
    var hub: InMemoryHub?
}
