import TapRingOptions

extension NetworkPlan {
    /// Refuses a plan whose indices do not hold together, as one built by
    /// hand rather than by `parse(_:)` may not: peers that do not name each
    /// other, a NIC's netdev that does not name it back, a dump of a netdev
    /// that is not there. Every later step indexes by them.
    package func checkConsistency() throws(EngineError) {
        for (index, netdev) in netdevs.enumerated() {
            if let peer = netdev.peer {
                guard netdevs.indices.contains(peer), peer != index, netdevs[peer].peer == index else {
                    throw EngineError(location: netdev.location, "peer \(peer): not a netdev whose peer is this one")
                }
            }
            if let device = netdev.device {
                guard devices.indices.contains(device), devices[device].netdev == index, netdev.peer == nil else {
                    throw EngineError(location: netdev.location, "device \(device): not a NIC on this netdev alone")
                }
            }
        }
        for (index, device) in devices.enumerated() {
            if let netdev = device.netdev {
                guard netdevs.indices.contains(netdev), netdevs[netdev].device == index else {
                    throw EngineError(
                        location: device.location, "netdev \(netdev): not a netdev whose device is this NIC")
                }
            }
        }
        for dump in dumps where !netdevs.indices.contains(dump.netdev) {
            throw EngineError(location: "-object filter-dump,id=\(dump.id)", "netdev \(dump.netdev): no such netdev")
        }
    }
}
