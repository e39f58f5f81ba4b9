/// What a port moved so far. "In" is toward the engine: frames its netdev
/// handed over; "out" is frames the engine wrote to the netdev.
public struct PortStatistics: Sendable, Equatable, Codable {
    /// The netdev's `id`.
    public var netdev: String
    /// The netdev's interface name, such as `tap0`.
    public var interface: String
    public var framesIn: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var framesOut: UInt64 = 0
    public var bytesOut: UInt64 = 0
    /// Frames meant for this port that found its queue full.
    public var drops: UInt64 = 0
    /// Reads and writes the kernel failed.
    public var errors: UInt64 = 0
    /// The netdev is gone: its tap was deleted, or it failed for good. Frames
    /// for it are dropped and counted.
    public var down = false

    init(netdev: String, interface: String) {
        self.netdev = netdev
        self.interface = interface
    }
}
