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
    private(set) var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000,
        numberOfSignificantValueDigits: .three)
    private var highest: UInt64?
    /// One bit per sequence number seen, for the last `window` of them, so
    /// that a long run costs no more memory than a short one.
    private var seen = [UInt64](repeating: 0, count: SinkAnalysis.window / 64)
    private static let window = 1 << 24
    /// The lowest sequence number `seen` covers.
    private var windowStart: UInt64 = 0

    init(name: String, run: UInt32) {
        self.name = name
        self.run = run
    }

    /// Takes in a frame that arrived at `now`; frames of other runs, or not
    /// the tester's at all, are ignored.
    @inline(__always)
    func record(_ frame: UnsafeRawBufferPointer, now: UInt64) {
        guard let (sequence, sent) = TestFrame.read(frame, run: run) else { return }
        slideWindow(to: sequence)
        // A frame from before the window is too late to tell from a duplicate;
        // it counts as reordered.
        if sequence >= windowStart {
            let position = Int(sequence % UInt64(Self.window))
            let bit: UInt64 = 1 << UInt64(position & 63)
            guard seen[position >> 6] & bit == 0 else {
                duplicates += 1
                return
            }
            seen[position >> 6] |= bit
        }
        if let highest, sequence < highest { reordered += 1 } else { highest = sequence }
        if firstArrival == nil { firstArrival = now }
        lastArrival = now
        _ = latency.record(now >= sent ? now - sent : 0)
        received.add(1, ordering: .relaxed)
    }

    /// Moves the window on so that it ends at `sequence`, forgetting the
    /// sequence numbers it leaves behind.
    @inline(__always)
    private func slideWindow(to sequence: UInt64) {
        let size = UInt64(Self.window)
        guard sequence >= windowStart + size else { return }
        let newStart = sequence - size + 1
        if newStart - windowStart >= size {
            for index in seen.indices { seen[index] = 0 }
        } else {
            var position = windowStart
            while position < newStart {
                let slot = Int(position % size)
                if slot & 63 == 0 && newStart - position >= 64 {
                    seen[slot >> 6] = 0
                    position += 64
                } else {
                    seen[slot >> 6] &= ~(1 << UInt64(slot & 63))
                    position += 1
                }
            }
        }
        windowStart = newStart
    }
}
