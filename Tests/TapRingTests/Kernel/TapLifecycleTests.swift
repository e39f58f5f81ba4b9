import Foundation
import Glibc
import Testing

@testable import TapRing
import TapRingHarness
@testable import TapRingOptions

/// Taps are created, attached, adopted and scripted the way QEMU does it.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct TapLifecycleTests {
    @Test func createdTapIsRemovedWithTheEngine() throws {
        let name = Kernel.uniqueName("trl")
        var engine: Engine? = try Engine(
            try NetworkPlan.parse(["-netdev", "tap,id=a,ifname=\(name),script=no,downscript=no"]))
        #expect(Kernel.interfaceExists(name))
        try engine?.start()
        engine = nil
        #expect(!Kernel.interfaceExists(name), "the tap outlived its engine")
    }

    @Test func persistentTapIsLeftAsItWas() throws {
        let name = Kernel.uniqueName("trl")
        try Kernel.ip("tuntap", "add", "dev", name, "mode", "tap")
        defer { try? Kernel.ip("link", "del", name) }
        var engine: Engine? = try Engine(
            try NetworkPlan.parse(["-netdev", "tap,id=a,ifname=\(name),script=no,downscript=no"]))
        #expect(engine?.interfaces == [name])
        engine = nil
        #expect(Kernel.interfaceExists(name))
    }

    @Test func templateNamesResolveToTheKernelsChoice() throws {
        let engine = try Engine(try NetworkPlan.parse(["-netdev", "tap,id=a,ifname=trt%d,script=no,downscript=no"]))
        let name = try #require(engine.interfaces.first)
        #expect(name.hasPrefix("trt") && name != "trt%d")
        #expect(Kernel.interfaceExists(name))
    }

    /// `fd=` hands over an open tap; the engine forwards through it.
    @Test func inheritedDescriptorIsAdopted() throws {
        let names = [Kernel.uniqueName("trf"), Kernel.uniqueName("trf")]
        let inherited = try TapDevice.open(template: names[0], vnetHeader: nil)
        let descriptor = dup(inherited.descriptor.rawValue)
        let plan = try NetworkPlan.parse([
            "-netdev", "tap,id=a,fd=\(descriptor)",
            "-netdev", "tap,id=b,ifname=\(names[1]),script=no,downscript=no",
            "-netdev", "hubport,id=pa,hubid=0,netdev=a", "-netdev", "hubport,id=pb,hubid=0,netdev=b",
        ])
        let engine = try Engine(plan)
        #expect(engine.interfaces == names)
        try engine.start()
        try names.forEach(Kernel.bringUp)
        let sockets = try names.map(PacketSocket.init(interface:))
        let frame = PacketSocket.frame(payload: [42])
        try sockets[0].send(frame)
        #expect(sockets[1].receive(count: 1, timeout: 2) == [frame])
    }

    /// Up and down scripts get exactly the script's path and the interface name.
    @Test func scriptsRunWithTheInterfaceName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(Kernel.uniqueName("trs"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("log").path
        for script in ["up", "down"] {
            let path = directory.appendingPathComponent(script).path
            try "#!/bin/sh\necho \(script) $# \"$1\" >> \(log)\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        let name = Kernel.uniqueName("trs")
        var engine: Engine? = try Engine(try NetworkPlan.parse([
            "-netdev", "tap,id=a,ifname=\(name),script=\(directory.path)/up,downscript=\(directory.path)/down",
        ]))
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "up 1 \(name)\n")
        #expect(engine?.interfaces == [name])
        engine = nil
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "up 1 \(name)\ndown 1 \(name)\n")
    }

    @Test func failingScriptNamesTheNetdev() throws {
        let name = Kernel.uniqueName("trs")
        let option = "tap,id=a,ifname=\(name),script=/bin/false,downscript=no"
        #expect {
            _ = try Engine(try NetworkPlan.parse(["-netdev", option]))
        } throws: { error in
            (error as? EngineError)?.description
                == "-netdev \(option): network script /bin/false failed with status 256"
        }
        #expect(!Kernel.interfaceExists(name))
    }

    /// `vhost=on` makes QEMU open `/dev/vhost-net` once the tap and its up
    /// script are done; vhost then never starts for a NIC that is no
    /// virtio-net. Without the device the netdev fails, in QEMU's words.
    @Test func vhostNeedsItsDeviceAfterTheUpScript() throws {
        let names = [Kernel.uniqueName("trv"), Kernel.uniqueName("trv")]
        let option = "tap,id=a,ifname=\(names[0]),script=/bin/true,downscript=no,vhost=on"
        if FileManager.default.fileExists(atPath: "/dev/vhost-net") {
            #expect(throws: Never.self) { _ = try Engine(try NetworkPlan.parse(["-netdev", option])) }
        } else {
            #expect {
                _ = try Engine(try NetworkPlan.parse(["-netdev", option]))
            } throws: { error in
                (error as? EngineError)?.description
                    == "-netdev \(option): tap: open vhost char device failed: No such file or directory"
            }
        }
        // `vhostfd=` with `vhost=off` is refused there too.
        let descriptor = "tap,id=a,ifname=\(names[1]),script=no,downscript=no,vhost=off,vhostfd=5"
        #expect {
            _ = try Engine(try NetworkPlan.parse(["-netdev", descriptor]))
        } throws: { error in
            (error as? EngineError)?.description == "-netdev \(descriptor): vhostfd(s)= is not valid without vhost"
        }
        #expect(Kernel.interfacesGone(names))
    }

    /// A down script that fails is reported on standard error, as QEMU's
    /// `launch_script()` reports it at exit.
    @Test func failingDownScriptIsReported() throws {
        let tap = "tap,id=a,ifname=\(Kernel.uniqueName("trs")),script=no,downscript=/bin/false"
        let (status, errors) = try TapRingBinary.run(["run", "--duration", "0.2", "-netdev", tap])
        #expect(status == 0)
        #expect(errors.hasSuffix("tapring: network script /bin/false failed with status 256\n"), "\(errors)")
    }

    /// When a later tap fails, earlier taps' down scripts run, as QEMU's exit
    /// notifiers run them, and the taps are gone.
    @Test func aLaterFailureUndoesEarlierTaps() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(Kernel.uniqueName("trs"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("log").path
        let down = directory.appendingPathComponent("down").path
        try "#!/bin/sh\necho down \"$1\" >> \(log)\n".write(toFile: down, atomically: true, encoding: .utf8)
        chmod(down, 0o755)
        let names = [Kernel.uniqueName("trs"), Kernel.uniqueName("trs")]
        #expect(throws: EngineError.self) {
            _ = try Engine(try NetworkPlan.parse([
                "-netdev", "tap,id=a,ifname=\(names[0]),script=no,downscript=\(down)",
                "-netdev", "tap,id=b,ifname=\(names[1]),script=/bin/false,downscript=no",
            ]))
        }
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "down \(names[0])\n")
        #expect(Kernel.interfacesGone(names))
    }
}
