/// The engine's ports, queue by queue: a hub port of `HubRoutes` (a netdev
/// or a NIC) becomes one engine port per queue, so that each queue of a
/// multi-queue tap is read and written by a reactor of its own.
///
/// Queue `q` of every multi-queue netdev lives on reactor `q % reactors`, and
/// a frame read from a queue goes to the queue of each destination that lives
/// on the same reactor. The kernel's tun driver hashes each flow to one queue
/// (`tun_select_queue`), so a flow stays on one reactor from end to end: no
/// lane between reactors, no lock, and no reordering within the flow.
/// Single-queue ports are dealt out to the reactors in turn, as before.
package struct QueueLayout: Equatable {
    /// `ports[hubPort]`: the engine ports of a hub port, its queues in order.
    package let ports: [[Int]]
    /// `homes[enginePort]`: the reactor that reads and writes it.
    package let homes: [Int]
    /// `routes[enginePort]`: the engine ports a frame from it is written to.
    package let routes: [[Int]]

    package var portCount: Int { homes.count }

    /// Lays out hub ports with `queues[hubPort]` queues each, routed as
    /// `hubRoutes`, over `reactorCount` reactors.
    package init(queues: [Int], hubRoutes: [[Int]], reactorCount: Int) {
        var ports: [[Int]] = []
        var homes: [Int] = []
        var singles = 0
        for count in queues {
            ports.append(Array(homes.count..<homes.count + count))
            if count == 1 {
                homes.append(singles % reactorCount)
                singles += 1
            } else {
                homes += (0..<count).map { $0 % reactorCount }
            }
        }
        var routes = Array(repeating: [Int](), count: homes.count)
        for (hubPort, destinations) in hubRoutes.enumerated() {
            for (queue, source) in ports[hubPort].enumerated() {
                routes[source] = destinations.map { destination in
                    let candidates = ports[destination]
                    return candidates.first { homes[$0] == homes[source] } ?? candidates[queue % candidates.count]
                }
            }
        }
        self.ports = ports
        self.homes = homes
        self.routes = routes
    }
}
