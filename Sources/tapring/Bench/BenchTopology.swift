import Foundation
import TapRing

/// What the tester measures: the QEMU networking options the forwarder
/// runs, the port frames go in through, and the ports they are counted at.
///
/// Frames go in at the first tap (or socket pair) and are counted at every
/// other tap and at every e1000's guest. Socket netdevs that lead elsewhere
/// are forwarded to but not counted.
struct BenchTopology {
    enum Endpoint {
        /// The kernel side of the tap of this netdev id.
        case tap(netdev: String)
        /// The tester's end of a socket pair.
        case stream(Int32)
        /// The guest driver model behind the NIC with this index.
        case guest(nic: Int)
    }

    struct Port {
        var name: String
        var endpoint: Endpoint
    }

    var options: [String]
    var plan: NetworkPlan
    var input: Port
    var outputs: [Port]
    /// Why the topology is what it is, when the tester chose it.
    var note: String?
    private var streams: [String: Int32] = [:]
    /// The tester's socket-pair ends and the engine's, closed at the end.
    private(set) var descriptors: [Int32] = []

    /// The topology of `options`; with none, the default: two taps and an
    /// e1000 on hub 0 with root and /dev/net/tun, otherwise the same hub
    /// with socket pairs for taps.
    static func make(_ options: [String]) throws(Failure) -> BenchTopology {
        guard options.isEmpty else { return try BenchTopology(options: options) }
        if getuid() == 0 && access("/dev/net/tun", R_OK | W_OK) == 0 {
            var topology = try BenchTopology(options: defaultOptions(
                input: "tap,id=in,ifname=trb0,script=no,downscript=no",
                output: "tap,id=out,ifname=trb1,script=no,downscript=no"))
            topology.note = "default topology: taps trb0 → hub 0 → trb1 and an e1000 with the guest model"
            return topology
        }
        let reason = getuid() != 0 ? "not running as root" : "/dev/net/tun is not usable"
        var pairs: [(engine: Int32, tester: Int32)] = []
        for _ in 0..<2 {
            var ends: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else {
                throw Failure("tapring bench: socketpair", errno: errno)
            }
            pairs.append((ends[0], ends[1]))
        }
        var topology = try BenchTopology(
            options: defaultOptions(input: "socket,id=in,fd=\(pairs[0].engine)",
                output: "socket,id=out,fd=\(pairs[1].engine)"),
            streams: ["in": pairs[0].tester, "out": pairs[1].tester])
        topology.descriptors = pairs.flatMap { [$0.engine, $0.tester] }
        topology.note = "\(reason), so no taps: socket pairs in memory stand in for them, "
            + "on hub 0 with an e1000 and the guest model"
        return topology
    }

    private static func defaultOptions(input: String, output: String) -> [String] {
        ["-netdev", input, "-netdev", output,
         "-netdev", "hubport,id=hin,hubid=0,netdev=in", "-netdev", "hubport,id=hout,hubid=0,netdev=out",
         "-netdev", "hubport,id=hnic,hubid=0", "-device", "e1000,netdev=hnic"]
    }

    /// The topology of `options`, where the socket netdevs named in
    /// `streams` count as ports the tester holds the other end of.
    private init(options: [String], streams: [String: Int32] = [:]) throws(Failure) {
        do {
            plan = try NetworkPlan.parse(options)
        } catch {
            throw Failure("tapring: \(error)")
        }
        if let help = plan.help { answer(help) }
        self.options = options
        let ports: [Port] = plan.netdevs.compactMap { netdev in
            if case .tap = netdev.backend { return Port(name: netdev.id, endpoint: .tap(netdev: netdev.id)) }
            return streams[netdev.id].map { Port(name: netdev.id, endpoint: .stream($0)) }
        }
        guard let first = ports.first else {
            throw Failure("tapring bench: the topology needs a tap to send frames into")
        }
        input = first
        outputs = ports.dropFirst()
            + NetworkPlan.Device.clientNames(of: plan.devices).enumerated().map { index, name in
                Port(name: name, endpoint: .guest(nic: index))
            }
        self.streams = streams
    }

    /// The same topology without its NICs, for QEMU under `-machine none`,
    /// which has no bus to plug them into; nil when nothing is left to count.
    func withoutNICs() throws(Failure) -> BenchTopology? {
        let nicPeers = Set(plan.devices.compactMap(\.netdev).map { plan.netdevs[$0].location })
        var kept: [String] = []
        var index = 0
        while index + 1 < options.count {
            let location = "\(options[index]) \(options[index + 1])"
            if !options[index].hasSuffix("device") && !nicPeers.contains(location) {
                kept += [options[index], options[index + 1]]
            }
            index += 2
        }
        var topology = try BenchTopology(options: kept, streams: streams)
        guard !topology.outputs.isEmpty else { return nil }
        topology.note = note
        return topology
    }

    /// The interface of the tap of netdev `id`: as typed, or as the engine
    /// named it.
    func interface(of id: String, engineInterfaces: [String]?) -> String? {
        let taps = plan.netdevs.filter { if case .tap = $0.backend { true } else { false } }
        guard let position = taps.firstIndex(where: { $0.id == id }) else { return nil }
        if let engineInterfaces, position < engineInterfaces.count { return engineInterfaces[position] }
        guard case .tap(let options) = taps[position].backend, !options.ifname.isEmpty,
            !options.ifname.contains("%")
        else {
            return nil
        }
        return options.ifname
    }

    func closeDescriptors() {
        descriptors.forEach { close($0) }
    }
}
