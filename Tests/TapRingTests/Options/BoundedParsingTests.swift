import Foundation
import Testing

@testable import TapRing
@testable import TapRingOptions

/// Option text a hostile caller controls costs bounded stack, memory and
/// time, and gets QEMU 7.2's answer.
@Suite struct BoundedParsingTests {
    /// json-streamer.c's MAX_NESTING: 1024 levels are parsed, 1025 refused,
    /// before the parser recurses into them.
    @Test func jsonNestingStopsAtQEMUsLimit() {
        let deep = String(repeating: "{", count: 40_000)
        #expect(failure(netdev: deep) == "-netdev \(deep): JSON nesting depth limit exceeded")
        let limit = String(repeating: #"{"a":"#, count: 1024) + "1" + String(repeating: "}", count: 1024)
        #expect(failure(netdev: limit)?.hasSuffix("JSON nesting depth limit exceeded") == false)
        let over = String(repeating: #"{"a":"#, count: 1025) + "1" + String(repeating: "}", count: 1025)
        #expect(failure(netdev: over)?.hasSuffix(": JSON nesting depth limit exceeded") == true)
    }

    /// A key of 35,000 dotted fragments: QEMU's answer, at once.
    @Test func deeplyDottedKeysAreCheap() {
        let key = Array(repeating: "a", count: 35_000).joined(separator: ".")
        let started = ContinuousClock.now
        #expect(failure(netdev: "stream,id=s,\(key)=1") == "-netdev stream,id=s,\(key)=1: Parameter 'addr' is missing")
        // Quadratic, this took 5.6 s and 1.8 GB; linear, it is milliseconds.
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    /// Netdevs parse in time linear in their number: four times as many
    /// take about four times as long, not sixteen.
    @Test func manyOptionsParseInLinearTime() {
        func seconds(_ count: Int) -> Double {
            let options = (0..<count).flatMap { ["-netdev", "hubport,id=p\($0),hubid=\($0)"] }
            let started = ContinuousClock.now
            #expect(failure(options) == nil)
            let elapsed = ContinuousClock.now - started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        _ = seconds(1_000)
        // The faster of two runs each: a busy machine slows one now and then.
        let ratio = min(seconds(12_000), seconds(12_000)) / min(seconds(3_000), seconds(3_000))
        // Quadratic (each option looked up by a scan of the ones before), it was over 16.
        #expect(ratio < 9, "12,000 options took \(ratio) times as long as 3,000")
    }
}
