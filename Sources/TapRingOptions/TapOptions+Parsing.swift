extension TapOptions {
    /// Applies `net_init_tap()`'s rules to the members of a `-netdev tap`,
    /// then TapRing's limits.
    init(_ members: TapMembers) throws(OptionDiagnostic) {
        var descriptor: Int32?
        if let fd = members.fd {
            // net_init_tap(): an inherited tap is already named and configured.
            guard members.ifname == nil, members.script == nil, members.downscript == nil,
                  members.vnetHeader == nil, members.helper == nil, members.queues == nil,
                  members.fds == nil, members.vhostfds == nil
            else {
                throw OptionDiagnostic(
                    "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= "
                        + "are invalid with fd="
                )
            }
            guard let number = OptionValue.fileDescriptor(fd) else {
                throw OptionDiagnostic("Invalid file descriptor number '\(fd)'")
            }
            descriptor = number
        }
        var bridgeHelper: BridgeHelper?
        if members.fds != nil {
            // net_init_tap(): descriptors for every queue exclude what would open them.
            guard members.ifname == nil, members.script == nil, members.downscript == nil,
                  members.vnetHeader == nil, members.helper == nil, members.queues == nil, members.vhostfd == nil
            else {
                throw OptionDiagnostic(
                    "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=")
            }
        } else if let helper = members.helper {
            // net_init_tap(): the helper names and opens the tap.
            guard members.ifname == nil, members.script == nil, members.downscript == nil,
                  members.vnetHeader == nil, members.queues == nil, members.vhostfds == nil
            else {
                throw OptionDiagnostic(
                    "ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=")
            }
            bridgeHelper = BridgeHelper(command: helper, bridge: members.bridge ?? BridgeHelper.defaultBridge)
        } else if members.vhostfds != nil {
            // The path that opens the tap by name (fd= excluded vhostfds= above).
            throw OptionDiagnostic("vhostfds= is invalid if fds= wasn't specified")
        }

        if let unsupported = members.firstUnsupportedParameter {
            throw .unsupportedParameter(unsupported)
        }
        let queues = members.queues ?? 1
        guard queues > 0 else {
            throw .invalidParameterValue("queues", expected: "a value of at least 1")
        }

        // QEMU runs no scripts for a tap it did not create.
        let runsScripts = descriptor == nil && bridgeHelper == nil
        self.init(
            ifname: members.ifname ?? "",
            inheritedDescriptor: descriptor,
            bridgeHelper: bridgeHelper,
            script: runsScripts ? Self.script(members.script, default: Self.defaultScript) : nil,
            downscript: runsScripts ? Self.script(members.downscript, default: Self.defaultDownscript) : nil,
            vnetHeader: members.vnetHeader,
            // tap_set_sndbuf() clamps to INT_MAX.
            sendBufferSize: members.sndbuf.map { Int32(clamping: $0) },
            queues: queues,
            vhostNet: members.vhostNet
        )
    }

    /// The script to run: `no` and the empty string both mean none
    /// (`net_tap_init()`, `tap_exit_notify()`).
    private static func script(_ value: String?, default defaultPath: String) -> String? {
        guard let value else { return defaultPath }
        return value.isEmpty || value == "no" ? nil : value
    }
}

/// `NetdevTapOptions` as typed, read in schema order so that type errors come
/// out in QEMU's order.
struct TapMembers: Equatable, Sendable {
    var ifname, fd, fds, script, downscript, bridge, helper: String?
    var sndbuf: UInt64?
    var vnetHeader, vhost: Bool?
    var vhostfd, vhostfds: String?
    var vhostforce: Bool?
    var queues: UInt32?

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        ifname = try reader.string("ifname")
        fd = try reader.string("fd")
        fds = try reader.string("fds")
        script = try reader.string("script")
        downscript = try reader.string("downscript")
        bridge = try reader.string("br")  // used with helper= only
        helper = try reader.string("helper")
        sndbuf = try reader.size("sndbuf")
        vnetHeader = try reader.bool("vnet_hdr")
        vhost = try reader.bool("vhost")
        vhostfd = try reader.string("vhostfd")
        vhostfds = try reader.string("vhostfds")
        vhostforce = try reader.bool("vhostforce")
        queues = try reader.uint32("queues")
        _ = try reader.uint32("poll-us")  // vhost busy polling: nothing to tune without vhost
    }

    /// The first member given that asks for something TapRing does not do:
    /// descriptors for a multi-queue tap, or a vhost-net descriptor to use.
    /// (`vhostfds=` goes with `fds=` only.)
    var firstUnsupportedParameter: String? {
        if fds != nil { return "fds" }
        if vhostfd != nil && vhost != false { return "vhostfd" }
        return nil
    }

    /// `net_init_tap_one()`'s test: `vhost=` decides if given, else
    /// `vhostfd=` or `vhostforce=on` turn vhost on.
    var vhostNet: TapOptions.VhostNet {
        if vhost ?? (vhostfd != nil || vhostforce == true) { return .kernel }
        return vhostfd != nil ? .descriptorWithoutVhost : .off
    }
}
