import SystemPackage

/// A `-netdev tap` of the command line, opened and configured as QEMU's
/// `net_init_tap` configures it.
struct TapPort {
    /// The netdev's `id`.
    let netdev: String
    let device: TapDevice
    /// Whether `sndbuf=` bounds the tap's send buffer, so that a write can park.
    let hasBoundedSendBuffer: Bool
    private let downScript: NetworkScript?

    /// Opens the tap `netdev` describes, with offloads on when `offloads`,
    /// sets its send buffer and runs its up script.
    init(_ netdev: NetworkPlan.Netdev, offloads: Bool) throws(EngineError) {
        guard case .tap(let options) = netdev.backend else {
            preconditionFailure("\(netdev.id) is not a tap")
        }
        do throws(TapError) {
            if let inherited = options.inheritedDescriptor {
                device = try TapDevice.adopt(FileDescriptor(rawValue: inherited))
            } else {
                device = try TapDevice.open(template: options.ifname, vnetHeader: options.vnetHeader, offloads: offloads)
            }
            let sendBuffer = options.sendBufferSize.flatMap { $0 > 0 ? $0 : nil } ?? Int32.max
            try device.setSendBufferSize(sendBuffer)
            hasBoundedSendBuffer = sendBuffer != Int32.max
            try options.script.map(NetworkScript.init(path:))?.run(for: device.name)
        } catch {
            throw EngineError(location: netdev.location, error.description)
        }
        self.netdev = netdev.id
        downScript = options.downscript.map(NetworkScript.init(path:))
    }

    /// Runs the down script, if the netdev has one; QEMU runs it at exit,
    /// while the tap still exists.
    func runDownScript() {
        guard let downScript else { return }
        do {
            try downScript.run(for: device.name)
        } catch {
            print("tapring: warning: \(error)")
        }
    }
}
