/// The host side of one `-netdev`: what TapRing opens or creates for it.
public enum NetdevBackend: Equatable, Sendable {
    /// `-netdev tap`: a Linux TAP interface.
    case tap(TapOptions)
    /// `-netdev hubport`: a port on one of QEMU's software hubs.
    case hubport(HubPortOptions)
    /// `-netdev socket`: frames over a TCP connection, UDP or IPv4 multicast.
    case socket(SocketOptions)
    /// `-netdev stream`: frames over a stream socket (inet, unix or fd).
    case stream(StreamOptions)
    /// `-netdev dgram`: one frame per datagram (inet, multicast, unix or fd).
    case dgram(DgramOptions)
}

/// The options of `-netdev tap` that TapRing honours, with QEMU's defaults
/// applied (`NetdevTapOptions` in `qapi/net.json`, `net_init_tap()`).
public struct TapOptions: Equatable, Sendable {
    /// QEMU's `DEFAULT_NETWORK_SCRIPT` for a distribution build.
    public static let defaultScript = "/etc/qemu-ifup"
    /// QEMU's `DEFAULT_NETWORK_DOWN_SCRIPT` for a distribution build.
    public static let defaultDownscript = "/etc/qemu-ifdown"

    /// Interface name or kernel template; "" means QEMU's "tap%d".
    public var ifname: String
    /// An already-open tap descriptor inherited from the parent (`fd=`); excludes ifname/script/etc.
    public var inheritedDescriptor: Int32?
    /// The helper that opens the tap and adds it to a bridge (`-netdev
    /// bridge`, or `helper=`); excludes ifname, scripts, vnet_hdr and queues.
    public var bridgeHelper: BridgeHelper?
    /// Script run after the tap is configured; nil when `script=no` or empty. Default "/etc/qemu-ifup".
    public var script: String?
    /// Script run before the tap is closed; nil when `downscript=no` or empty. Default "/etc/qemu-ifdown".
    public var downscript: String?
    /// nil: on when the kernel supports it (QEMU's default); true: required; false: off.
    public var vnetHeader: Bool?
    /// Send buffer in bytes (TUNSETSNDBUF); nil means unlimited (QEMU uses INT_MAX). 0 also means unlimited.
    ///
    /// Larger requests are clamped to `Int32.max`, as QEMU's `tap_set_sndbuf()` does.
    public var sendBufferSize: Int32?
    /// Queues on the interface: above 1, the tap is opened with
    /// `IFF_MULTI_QUEUE` once per queue, and each queue is a port of its
    /// own, read and written by the reactor its index falls to.
    public var queues: UInt32
    /// What `vhost=`, `vhostforce=` and `vhostfd=` ask of vhost-net.
    public var vhostNet: VhostNet

    /// vhost-net as `net_init_tap_one()` takes it, once the tap is open.
    /// QEMU starts vhost for virtio-net peers only, which TapRing has none
    /// of, so what shows of it is whether `/dev/vhost-net` opens.
    public enum VhostNet: Equatable, Sendable {
        /// Not asked for: `vhost=` off or not given, and neither
        /// `vhostforce=on` nor `vhostfd=`.
        case off
        /// `vhost=on`, or `vhostforce=on` without `vhost=off`: the tap
        /// fails unless `/dev/vhost-net` opens (QEMU without `vhostforce`
        /// warns there, then fails an assertion).
        case kernel
        /// `vhostfd=` with `vhost=off`, which QEMU refuses once the tap is open.
        case descriptorWithoutVhost
    }

    /// Creates tap options; the defaults are those of a bare `-netdev tap,id=…`.
    public init(
        ifname: String = "",
        inheritedDescriptor: Int32? = nil,
        bridgeHelper: BridgeHelper? = nil,
        script: String? = TapOptions.defaultScript,
        downscript: String? = TapOptions.defaultDownscript,
        vnetHeader: Bool? = nil,
        sendBufferSize: Int32? = nil,
        queues: UInt32 = 1,
        vhostNet: VhostNet = .off
    ) {
        self.ifname = ifname
        self.inheritedDescriptor = inheritedDescriptor
        self.bridgeHelper = bridgeHelper
        self.script = script
        self.downscript = downscript
        self.vnetHeader = vnetHeader
        self.sendBufferSize = sendBufferSize
        self.queues = queues
        self.vhostNet = vhostNet
    }
}

/// The options of `-netdev hubport` (`NetdevHubPortOptions`).
public struct HubPortOptions: Equatable, Sendable {
    /// The hub the port belongs to; QEMU creates hubs on demand, and any
    /// `int32`, negative ones included, names one.
    public var hubID: Int32
    /// The id of an earlier netdev that becomes this port's peer, instead of
    /// a guest NIC (`netdev=`).
    public var netdev: String?

    /// Creates hubport options; without `netdev`, the port waits for a guest NIC.
    public init(hubID: Int32, netdev: String? = nil) {
        self.hubID = hubID
        self.netdev = netdev
    }
}
