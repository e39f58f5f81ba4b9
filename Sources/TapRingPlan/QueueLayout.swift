/// The engine's ports, queue by queue: a hub port of `HubRoutes` (a netdev
/// or a NIC) becomes one engine port per queue, so that each queue of a
/// multi-queue tap is read and written by a reactor of its own.
///
/// Queue `q` of every multi-queue netdev lives on reactor `q % reactors`, and
/// a frame read from a queue goes to the queue of each destination that lives
/// on the same reactor. The kernel's tun driver hashes each flow to one queue
/// (`tun_select_queue`), so a flow stays on one reactor from end to end: no
/// lane between reactors, no lock, and no reordering within the flow.
/// Single-queue ports are dealt out to the reactors in turn, as before,
/// except those that follow their sources: a datagram socket lives on the
/// reactor of the first port whose frames it takes, so that a frame read
/// there is sent from the core that read it. A second core adds little
/// there: it measured at most 1.1 times the rate into a datagram socket,
/// at 0.7 times the frames per CPU-second, spent handing frames over and
/// waking the other reactor.
package struct QueueLayout: Equatable {
    /// `ports[hubPort]`: the engine ports of a hub port, its queues in order.
    package let ports: [[Int]]
    /// `homes[enginePort]`: the reactor that reads and writes it.
    package let homes: [Int]
    /// `routes[enginePort]`: the engine ports a frame from it is written to.
    package let routes: [[Int]]

    package var portCount: Int { homes.count }

    /// Lays out hub ports with `queues[hubPort]` queues each, routed as
    /// `hubRoutes`, over `reactorCount` reactors; the single-queue hub ports
    /// in `followers` live where their first source does, or, with none
    /// placed, are dealt out too.
    package init(queues: [Int], hubRoutes: [[Int]], reactorCount: Int, followers: Set<Int> = []) {
        var ports: [[Int]] = []
        var placed: [Int?] = []
        var singles = 0
        func deal() -> Int {
            defer { singles += 1 }
            return singles % reactorCount
        }
        for (hubPort, count) in queues.enumerated() {
            ports.append(Array(placed.count..<placed.count + count))
            if count > 1 {
                placed += (0..<count).map { $0 % reactorCount }
            } else {
                placed.append(followers.contains(hubPort) ? nil : deal())
            }
        }
        for follower in followers.sorted() where queues[follower] == 1 {
            let source = hubRoutes.indices.first { hubRoutes[$0].contains(follower) && placed[ports[$0][0]] != nil }
            placed[ports[follower][0]] = source.map { placed[ports[$0][0]]! } ?? deal()
        }
        let homes = placed.map { $0! }
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
