/// Where a frame entering each port leaves: QEMU's hubs, flattened.
///
/// In QEMU a frame read from a tap enters its peer hub port, and `net_hub_receive`
/// sends it out of every other port of that hub, never back out of its source;
/// a port whose peer is a port of another hub carries it on into that hub. The
/// topology is fixed once the command line is validated, so the engine walks it
/// once here and keeps, for every port, the list of ports that get a copy.
struct HubRoutes: Equatable {
    /// `destinations[port]` are the ports a frame read from `port` is written to.
    let destinations: [[Int]]

    /// Routes between the netdevs of `plan` at indices `ports`, the netdevs the
    /// engine reads and writes; the routes name ports by their index in `ports`.
    init(plan: NetworkPlan, ports: [Int]) {
        let portOfNetdev = Dictionary(uniqueKeysWithValues: ports.enumerated().map { ($1, $0) })
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

        /// Collects what a frame reaches after entering hub `hub` through `entry`.
        func flood(hub: Int32, enteringThrough entry: Int, visited: inout Set<Int32>, into reached: inout [Int]) {
            guard visited.insert(hub).inserted else { return }
            for member in hubMembers[hub, default: []] where member != entry {
                guard let peer = plan.netdevs[member].peer else { continue }
                if let port = portOfNetdev[peer] {
                    reached.append(port)
                } else if let nextHub = hubID(of: peer) {
                    flood(hub: nextHub, enteringThrough: peer, visited: &visited, into: &reached)
                }
            }
        }

        destinations = ports.map { netdev in
            guard let peer = plan.netdevs[netdev].peer, let hub = hubID(of: peer) else { return [] }
            var visited = Set<Int32>()
            var reached: [Int] = []
            flood(hub: hub, enteringThrough: peer, visited: &visited, into: &reached)
            return reached
        }
    }
}
