import Synchronization

/// What the reactors know of a port: a netdev or a NIC that frames enter the
/// engine from and leave it through.
struct PortDescription {
    /// The reactor that reads and writes the port.
    let home: Int
    let kind: PortKind
    /// Set while the port is a NIC whose queue holds frames it could not
    /// take: its sources stop reading, as QEMU's do.
    let blocked: UnsafeMutablePointer<Atomic<Bool>>?
    /// QEMU reads this port only while its one peer can take a frame: a tap
    /// (`tap_send` asks `qemu_can_send_packet` before each read) whose frames
    /// go to a single port. Set by the fabric, which knows the routes.
    var readOnlyWhilePeerCanReceive = false

    init(home: Int, kind: PortKind) {
        self.home = home
        self.kind = kind
        if case .nic(let nic) = kind {
            blocked = nic.channel.blocked
        } else {
            blocked = nil
        }
    }

    /// The descriptor the reactor registers for the port, if it has one.
    var descriptor: Int32? {
        switch kind {
        case .tap(let descriptor, _, _), .streamSocket(let descriptor): descriptor
        case .nic: nil
        }
    }
}

enum PortKind {
    /// A tap: frames are read and written one per operation. A tap with a
    /// bounded send buffer can park a write on poll, so its writes are linked
    /// (`ordersWrites`) to keep the next from overtaking it.
    case tap(descriptor: Int32, vnetHeaderSize: Int, ordersWrites: Bool)
    /// A stream socket carrying QEMU's framing: a 4-byte big-endian length
    /// before each frame.
    case streamSocket(descriptor: Int32)
    /// An emulated NIC: it takes frames under its lock and hands back the
    /// frames its guest sends.
    case nic(E1000)
}
