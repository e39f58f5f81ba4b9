import SystemPackage

/// A netdev of the command line that the engine reads and writes, opened.
enum NetdevPort {
    case tap(TapPort)
    case socket(id: String, SocketNetdev)

    /// Opens the netdev `netdev` describes.
    init(_ netdev: NetworkPlan.Netdev) throws(EngineError) {
        switch netdev.backend {
        case .tap:
            self = .tap(try TapPort(netdev))
        case .socket(let options):
            guard case .inheritedDescriptor(let descriptor) = options.mode else {
                throw EngineError(location: netdev.location, "only socket netdevs with fd= are supported yet")
            }
            do throws(EngineError) {
                self = .socket(id: netdev.id, try SocketNetdev(descriptor: descriptor))
            } catch {
                throw EngineError(location: netdev.location, error.message)
            }
        case .stream, .dgram:
            throw EngineError(location: netdev.location, "stream and dgram netdevs are not supported yet")
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

    var kind: PortKind {
        switch self {
        case .tap(let tap):
            .tap(descriptor: tap.device.descriptor.rawValue, vnetHeaderSize: tap.device.vnetHeaderSize,
                 ordersWrites: tap.hasBoundedSendBuffer)
        case .socket(_, let socket):
            .streamSocket(descriptor: socket.descriptor.rawValue)
        }
    }

    func runDownScript() {
        if case .tap(let tap) = self { tap.runDownScript() }
    }
}
