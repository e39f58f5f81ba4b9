/// `-object filter-dump` (QEMU's `net/dump.c`): a pcap file of the frames a
/// netdev sends and receives.
public struct PacketDumpOptions: Equatable, Sendable {
    /// Which of a netdev's directions a filter sees (`NetFilterDirection`).
    public enum Direction: String, Equatable, Sendable {
        /// `queue=all`, the default: both directions.
        case all
        /// `queue=rx`: frames sent to the netdev (from its peer).
        case rx
        /// `queue=tx`: frames the netdev sends (toward its peer).
        case tx
    }

    /// The object's `id=`.
    public var id: String
    /// Index in the plan's `netdevs` of the netdev named by `netdev=`.
    public var netdev: Int
    /// `file=`: the pcap file, created or truncated at start.
    public var file: String
    /// `maxlen=`: bytes of each frame written (pcap's snaplen); 65536 by default.
    public var maxLength: UInt32
    public var direction: Direction
    /// `status=off` creates the filter disabled.
    public var enabled: Bool

    public init(id: String, netdev: Int, file: String, maxLength: UInt32 = 65536, direction: Direction = .all,
                enabled: Bool = true) {
        self.id = id
        self.netdev = netdev
        self.file = file
        self.maxLength = maxLength
        self.direction = direction
        self.enabled = enabled
    }
}
