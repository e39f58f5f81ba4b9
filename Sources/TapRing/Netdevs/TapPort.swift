import SystemPackage

/// A `-netdev tap` of the command line, opened and configured as QEMU's
/// `net_init_tap` configures it.
struct TapPort {
    /// The tap's queues: one, or `queues=` of a multi-queue tap.
    let queues: [TapDevice]
    /// Whether `sndbuf=` bounds the tap's send buffer, so that a write can park.
    let hasBoundedSendBuffer: Bool
    private let downScript: NetworkScript?

    /// Opens the tap `netdev` describes, each of its queues, with offloads
    /// on when `offloads`, sets its send buffer and runs its up script.
    init(_ netdev: NetworkPlan.Netdev, offloads: Bool) throws(EngineError) {
        guard case .tap(let options) = netdev.backend else {
            preconditionFailure("\(netdev.id) is not a tap")
        }
        do throws(TapError) {
            if let inherited = options.inheritedDescriptor {
                queues = [try TapDevice.adopt(FileDescriptor(rawValue: inherited), id: netdev.id)]
            } else if let helper = options.bridgeHelper {
                queues = [try TapDevice.open(through: helper)]
            } else {
                // As `net_init_tap`: the first queue settles the name, the others join it.
                let multiQueue = options.queues > 1
                let first = try TapDevice.open(
                    template: options.ifname, vnetHeader: options.vnetHeader, offloads: offloads,
                    multiQueue: multiQueue)
                var queues = [first]
                for _ in 1..<Int(options.queues) {
                    queues.append(try TapDevice.open(
                        template: first.name, vnetHeader: options.vnetHeader, offloads: offloads, multiQueue: true))
                }
                self.queues = queues
            }
            let sendBuffer = options.sendBufferSize.flatMap { $0 > 0 ? $0 : nil } ?? Int32.max
            for queue in queues {
                try queue.setSendBufferSize(sendBuffer)
            }
            hasBoundedSendBuffer = sendBuffer != Int32.max
            try options.script.map(NetworkScript.init(path:))?.run(for: queues[0].name)
            try Self.checkVhostNet(options.vhostNet)
        } catch {
            var failure = EngineError(location: netdev.location, error.message)
            failure.errno = error.errno
            throw failure
        }
        downScript = options.downscript.map(NetworkScript.init(path:))
    }

    /// What `net_init_tap_one()` does with vhost-net for a peer that is no
    /// virtio-net: opens `/dev/vhost-net`, which vhost would need, and
    /// leaves it unused; TapRing closes it again.
    private static func checkVhostNet(_ request: TapOptions.VhostNet) throws(TapError) {
        switch request {
        case .off:
            return
        case .descriptorWithoutVhost:
            throw TapError("vhostfd(s)= is not valid without vhost")
        case .kernel:
            do {
                try FileDescriptor.open("/dev/vhost-net", .readWrite, options: .closeOnExec).close()
            } catch {
                throw TapError("tap: open vhost char device failed", error)
            }
        }
    }

    /// The first queue, which named the tap.
    var device: TapDevice { queues[0] }

    /// Runs the down script, if the netdev has one; QEMU runs it at exit,
    /// while the tap still exists, and reports its failure on standard
    /// error after the program's name (`error_report()`), as this does.
    func runDownScript() {
        guard let downScript else { return }
        do {
            try downScript.run(for: device.name)
        } catch {
            let program = CommandLine.arguments.first?.split(separator: "/").last ?? "tapring"
            _ = try? FileDescriptor.standardError.writeAll("\(program): \(error)\n".utf8)
        }
    }
}
