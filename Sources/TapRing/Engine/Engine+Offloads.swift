/// Which ports carry GSO frames, decided from the command line before
/// anything is opened.
extension Engine {
    /// The taps, by port, that get offloads: a tap not set `vnet_hdr=off`
    /// whose frames go to another such tap. Between the two GSO frames pass
    /// whole, 64 KiB at a time; a port that takes plain frames only gets
    /// them cut up (`Segmenter`). A tap whose frames reach no such tap keeps
    /// offloads off, so the kernel segments for it, and does it faster.
    static func tapsWithOffloads(_ plan: NetworkPlan, ports: [PortID], routes: [[Int]]) -> Set<Int> {
        let candidates = Set(ports.indices.filter { port in
            guard case .netdev(let index) = ports[port], case .tap(let options) = plan.netdevs[index].backend else {
                return false
            }
            // An inherited descriptor keeps the vnet header it was opened with.
            return options.vnetHeader != false && options.inheritedDescriptor == nil
        })
        return candidates.filter { port in routes[port].contains(where: candidates.contains) }
    }

    /// The NICs, by port, whose guests' TSO packets leave as GSO frames:
    /// those whose frames go only to taps with a vnet header, set
    /// `vnet_hdr=on` or opened with offloads.
    static func nicsSendingGSOFrames(_ plan: NetworkPlan, ports: [PortID], routes: [[Int]], offloads: Set<Int>)
        -> Set<Int>
    {
        func takesGSOFrames(_ port: Int) -> Bool {
            guard case .netdev(let index) = ports[port], case .tap(let options) = plan.netdevs[index].backend,
                  options.inheritedDescriptor == nil
            else { return false }
            return options.vnetHeader == true || offloads.contains(port)
        }
        return Set(ports.indices.filter { port in
            guard case .device = ports[port] else { return false }
            return !routes[port].isEmpty && routes[port].allSatisfy(takesGSOFrames)
        })
    }
}
