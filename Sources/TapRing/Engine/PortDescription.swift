/// What the reactors know of a port: a netdev the engine reads frames from
/// and writes frames to.
struct PortDescription {
    /// The reactor that reads and writes the port.
    let home: Int
    let descriptor: Int32
    /// Bytes of vnet header the port's netdev puts before each frame.
    let vnetHeaderSize: Int
    /// Whether the port's writes are linked to keep their order. A tap with a
    /// bounded send buffer can park a write on poll, and the next must not
    /// overtake it; an unbounded one completes every write at once.
    let ordersWrites: Bool
}
