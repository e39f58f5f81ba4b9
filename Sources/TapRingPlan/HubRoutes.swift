import TapRingOptions

/// A port of the engine: a netdev it reads and writes (a tap, a socket), or
/// a guest NIC.
package enum PortID: Hashable {
    case netdev(Int)
    case device(Int)
}

/// Where a frame entering each port leaves: QEMU's peers and hubs, flattened.
///
/// In QEMU a frame goes from a netdev to its peer: a NIC, or a hub port. A
/// hub sends it out of every other port (`net_hub_receive`), never back out
/// of its source, and a port whose peer is a port of another hub carries it
/// on into that hub. The topology is fixed once the command line is
/// validated, so the engine walks it once here and keeps, for every port,
/// the list of ports that get a copy.
package struct HubRoutes: Equatable {
    /// `destinations[port]` are the ports a frame from `port` is written to.
    package let destinations: [[Int]]

    /// Routes between `ports` of `plan`, named by their index in `ports`.
    package init(plan: NetworkPlan, ports: [PortID]) {
        let portIndex = Dictionary(uniqueKeysWithValues: ports.enumerated().map { ($1, $0) })
        var hubMembers: [Int32: [Int]] = [:]
        for (index, netdev) in plan.netdevs.enumerated() {
            if case .hubport(let options) = netdev.backend {
                hubMembers[options.hubID, default: []].append(index)
            }
        }

        func hubID(of netdev: Int) -> Int32? {
            if case .hubport(let options) = plan.netdevs[netdev].backend { return options.hubID }
            return nil
        }

        /// What a frame reaches when it enters netdev `netdev` from its peer:
        /// the netdev itself, if it is a port, or everything beyond a hub port.
        func enter(_ netdev: Int, visited: inout Set<Int32>, into reached: inout [Int]) {
            if let port = portIndex[.netdev(netdev)] {
                reached.append(port)
            } else if let hub = hubID(of: netdev), visited.insert(hub).inserted {
                for member in hubMembers[hub, default: []] where member != netdev {
                    leave(member, visited: &visited, into: &reached)
                }
            }
        }

        /// What a frame reaches when it leaves netdev `netdev` for its peer.
        func leave(_ netdev: Int, visited: inout Set<Int32>, into reached: inout [Int]) {
            if let device = plan.netdevs[netdev].device, let port = portIndex[.device(device)] {
                reached.append(port)
            } else if let peer = plan.netdevs[netdev].peer {
                enter(peer, visited: &visited, into: &reached)
            }
        }

        destinations = ports.map { port in
            var visited = Set<Int32>()
            var reached: [Int] = []
            switch port {
            case .netdev(let netdev):
                leave(netdev, visited: &visited, into: &reached)
            case .device(let device):
                if let netdev = plan.devices[device].netdev {
                    enter(netdev, visited: &visited, into: &reached)
                }
            }
            return reached
        }
    }
}
