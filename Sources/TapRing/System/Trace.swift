import Glibc
import Synchronization

/// Trace points, as QEMU's `-trace` has them for its e1000 and hub: off
/// unless `enable(_:writingTo:)` turns a category on. A point that is off
/// costs one relaxed load, and points sit only where work stops or turns
/// (a drop, a full receive ring, the interrupt line, a reactor going to
/// sleep), never on a frame's normal path.
public enum Trace {
    /// Which points print.
    public struct Categories: OptionSet, Sendable {
        public let rawValue: UInt32

        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        /// The e1000: receiver overruns, the interrupt line rising and falling.
        public static let e1000 = Categories(rawValue: 1 << 0)
        /// Hubs and lanes: frames dropped because a port's queue is full or its netdev is gone.
        public static let hub = Categories(rawValue: 1 << 1)
        /// Reactors: going to sleep and waking.
        public static let reactor = Categories(rawValue: 1 << 2)

        static let names: [(String, Categories)] = [("e1000", .e1000), ("hub", .hub), ("reactor", .reactor)]

        /// `e1000,hub,reactor` or `all`; nil when a word names no category.
        public init?(parsing text: String) {
            self = []
            for word in text.split(separator: ",", omittingEmptySubsequences: false) {
                if word == "all" {
                    formUnion(Categories(Self.names.map(\.1)))
                } else if let category = Self.names.first(where: { $0.0 == word })?.1 {
                    formUnion(category)
                } else {
                    return nil
                }
            }
        }

        /// The names `init(parsing:)` takes, for messages.
        public static var known: String { names.map(\.0).joined(separator: ", ") + ", all" }
    }

    private static let enabled = Atomic<UInt32>(0)
    private static let output = Atomic<Int32>(2)

    /// Prints the points of `categories` from now on, one line each, on
    /// `descriptor` (standard error by default); `[]` turns tracing off.
    public static func enable(_ categories: Categories, writingTo descriptor: Int32 = 2) {
        output.store(descriptor, ordering: .relaxed)
        enabled.store(categories.rawValue, ordering: .releasing)
    }

    /// Writes `trace <category>: <message>` when `category` is on; when it
    /// is off, one relaxed load and the message is never built. A line the
    /// output cannot take now is lost rather than waited for.
    ///
    /// The corresponding C function is `write`.
    @inline(__always)
    static func point(_ category: Categories, _ message: @autoclosure () -> String) {
        guard enabled.load(ordering: .relaxed) & category.rawValue != 0 else { return }
        write(category, message())
    }

    private static func write(_ category: Categories, _ message: String) {
        let name = Categories.names.first { $0.1 == category }?.0 ?? "trace"
        var line = "trace \(name): \(message)\n"
        line.withUTF8 { bytes in
            _ = retryingInterrupted { Glibc.write(output.load(ordering: .relaxed), bytes.baseAddress, bytes.count) }
        }
    }
}
