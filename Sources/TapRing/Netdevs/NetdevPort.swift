import SystemPackage

/// A netdev of the command line that the engine reads and writes, opened.
enum NetdevPort {
    case tap(TapPort)
    case socket(id: String, SocketNetdev)

    /// Opens the netdev `netdev` describes; a tap with offloads on when
    /// `offloads`.
    init(_ netdev: NetworkPlan.Netdev, offloads: Bool) throws(EngineError) {
        switch netdev.backend {
        case .tap:
            self = .tap(try TapPort(netdev, offloads: offloads))
        case .socket, .stream, .dgram:
            self = .socket(id: netdev.id, try SocketNetdev.open(netdev))
        case .hubport:
            preconditionFailure("\(netdev.id) is a hub port, not a port of the engine")
        }
    }

    var id: String {
        switch self {
        case .tap(let tap): tap.netdev
        case .socket(let id, _): id
        }
    }

    /// The tap's interface name.
    var interface: String? {
        if case .tap(let tap) = self { return tap.device.name }
        return nil
    }

    /// What the reactors see of each of the netdev's queues: a port each.
    var queueKinds: [PortKind] {
        switch self {
        case .tap(let tap):
            tap.queues.map { queue in
                .tap(PortKind.Tap(
                    descriptor: queue.descriptor.rawValue, vnetHeaderSize: queue.vnetHeaderSize,
                    ordersWrites: tap.hasBoundedSendBuffer, offloads: queue.hasOffloads))
            }
        case .socket(_, let socket):
            [socket.kind]
        }
    }

    func runDownScript() {
        if case .tap(let tap) = self { tap.runDownScript() }
    }
}
