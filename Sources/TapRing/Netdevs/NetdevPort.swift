/// A netdev of the command line that the engine reads and writes, opened: it
/// owns the netdev's descriptors (a tap's queues, or a socket) and its down
/// script, and gives the reactors a `PortKind` for each queue.
struct NetdevPort {
    /// The netdev's `id`.
    let id: String
    /// The tap's interface name; nil for a socket.
    let interface: String?
    /// What the reactors see of each of the netdev's queues: a port each.
    let queueKinds: [PortKind]
    private let tap: TapPort?
    /// Kept so that the socket stays open while the engine runs.
    private let socket: SocketNetdev?

    /// Opens the netdev `netdev` describes; a tap with offloads on when
    /// `offloads`.
    init(_ netdev: NetworkPlan.Netdev, offloads: Bool) throws(EngineError) {
        id = netdev.id
        switch netdev.backend {
        case .tap:
            let tap = try TapPort(netdev, offloads: offloads)
            (self.tap, socket, interface) = (tap, nil, tap.device.name)
            queueKinds = tap.queues.map { queue in
                .tap(PortKind.Tap(
                    descriptor: queue.descriptor.rawValue, vnetHeaderSize: queue.vnetHeaderSize,
                    ordersWrites: tap.hasBoundedSendBuffer, offloads: queue.hasOffloads))
            }
        case .socket, .stream, .dgram:
            let socket = try SocketNetdev.open(netdev)
            (tap, self.socket, interface) = (nil, socket, nil)
            queueKinds = [socket.kind]
        case .hubport:
            preconditionFailure("\(netdev.id) is a hub port, not a port of the engine")
        }
    }

    /// What the user should hear of a netdev that opened but will carry
    /// nothing: a stream client that could not connect.
    var warning: String? {
        socket?.connectionFailure.map { "\($0); the netdev stays unconnected and drops its frames, as QEMU 7.2's does" }
    }

    func runDownScript() {
        tap?.runDownScript()
    }
}
