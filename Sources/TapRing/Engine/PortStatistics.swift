/// What a port moved so far. "In" is toward the engine: frames its netdev
/// handed over; "out" is frames the engine wrote to the netdev.
public struct PortStatistics: Sendable, Equatable {
    /// The netdev's `id`.
    public var netdev: String
    /// The netdev's interface name, such as `tap0`.
    public var interface: String
    public var framesIn: UInt64
    public var bytesIn: UInt64
    public var framesOut: UInt64
    public var bytesOut: UInt64
    /// Frames meant for this port that found its queue full.
    public var drops: UInt64
    /// Reads and writes the kernel failed.
    public var errors: UInt64

    init(netdev: String, interface: String, totals: PortCounters.Totals) {
        self.netdev = netdev
        self.interface = interface
        framesIn = totals.framesIn
        bytesIn = totals.bytesIn
        framesOut = totals.framesOut
        bytesOut = totals.bytesOut
        drops = totals.drops
        errors = totals.errors
    }
}
