import Histogram
import Synchronization

/// What one port received of a run: every frame's sequence number checked
/// against those seen before (duplicates, reordering) and its latency
/// recorded, by the one thread that receives for the port.
///
/// `received` may be read from any thread while the run goes on; the rest
/// only once the receiving thread is done.
final class SinkAnalysis: @unchecked Sendable {
    let name: String
    let run: UInt32
    let received = Atomic<UInt64>(0)
    private(set) var duplicates: UInt64 = 0
    /// Frames that arrived after one with a higher sequence number.
    private(set) var reordered: UInt64 = 0
    private(set) var firstArrival: UInt64?
    private(set) var lastArrival: UInt64 = 0
    private(set) var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    private var highest: UInt64?
    /// One bit per sequence number seen.
    private var seen: [UInt64] = []

    init(name: String, run: UInt32) {
        self.name = name
        self.run = run
    }

    /// Takes in a frame that arrived at `now`; frames of other runs, or not
    /// the tester's at all, are ignored.
    @inline(__always)
    func record(_ frame: UnsafeRawBufferPointer, now: UInt64) {
        guard let (sequence, sent) = TestFrame.read(frame, run: run) else { return }
        let word = Int(sequence >> 6)
        let bit: UInt64 = 1 << (sequence & 63)
        if word >= seen.count { seen += [UInt64](repeating: 0, count: max(word + 1 - seen.count, seen.count)) }
        guard seen[word] & bit == 0 else {
            duplicates += 1
            return
        }
        seen[word] |= bit
        if let highest, sequence < highest { reordered += 1 } else { highest = sequence }
        if firstArrival == nil { firstArrival = now }
        lastArrival = now
        _ = latency.record(now >= sent ? now - sent : 0)
        received.add(1, ordering: .relaxed)
    }
}
