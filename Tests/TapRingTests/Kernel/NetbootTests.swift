import Foundation
import Glibc
import Testing

/// A real VM's driver on TapRing's e1000: QEMU 7.2 (TCG, one vCPU, memfd
/// RAM) boots iPXE, whose `intel` driver fetches a Linux kernel and an
/// initrd over HTTP from a server in a network namespace and boots them;
/// the initrd's init prints a marker. The e1000 is TapRing's, served over
/// `-device x-pci-proxy-dev` by `tapring run -machine x-remote`: on the
/// server's tap, and on a hub with a second tap where a capture checks the
/// frames. QEMU's own e1000, in the VM and in a remote QEMU, boot the same
/// images as references; the four times are printed side by side.
///
/// iPXE polls its NIC: under TCG, QEMU 7.2's proxy never delivers a remote
/// device's interrupt (it wires the irqfd only into KVM), so an
/// interrupt-driven guest driver would not get this far.
@Suite(.serialized, .timeLimit(.minutes(20)))
struct NetbootTests {
    @Test(.enabled(if: Netboot.isPossible, Netboot.reason))
    func iPXENetbootsLinuxThroughTapRingsE1000() throws {
        let images = try Netboot.Images(fillerMegabytes: 24)
        defer { images.remove() }
        #expect(images.byteCount >= 30 << 20, "kernel and initrd: \(images.byteCount) bytes")
        var times: [(String, Double)] = []
        for mode in Netboot.Mode.allCases {
            let result = try Netboot(images: images, mode: mode).boot()
            #expect(result.booted, "\(mode): the guest never printed NETBOOT-OK:\n\(result.console.suffix(1500))")
            for problem in result.problems {
                Issue.record("\(mode): \(problem)")
            }
            times.append((mode.rawValue, result.seconds))
        }
        print("netboot of \(images.byteCount) bytes: "
            + times.map { "\($0.0) \(String(format: "%.1f", $0.1)) s" }.joined(separator: ", "))
    }
}

/// One netboot of `images` with the e1000 served as `mode` says.
struct Netboot {
    enum Mode: String, CaseIterable {
        case tapring = "TapRing (x-remote)"
        case tapringOnHub = "TapRing on a hub, captured"
        case qemuRemote = "QEMU remote e1000"
        case qemuInProcess = "QEMU in-process e1000"
    }

    struct Result {
        var booted: Bool
        var seconds: Double
        var console: String
        /// What went wrong besides the boot itself: the remote's exit, its
        /// diagnostics, what the capture saw.
        var problems: [String]
    }

    static let qemu = "/usr/bin/qemu-system-x86_64"
    static let ipxe = "/boot/ipxe.lkrn"
    static let busybox = "/bin/busybox"
    static let isPossible = Kernel.hasNamespaces
        && [qemu, ipxe, busybox, "/usr/bin/cpio", "/usr/bin/tcpdump", "/usr/bin/python3"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: $0) || FileManager.default.fileExists(atPath: $0)
        } && Images.kernel != nil
    static let reason: Comment =
        "needs root, iproute2, qemu-system-x86, ipxe, busybox-static, cpio, tcpdump and a kernel in /boot (make deps)"

    let images: Images
    let mode: Mode

    func boot() throws -> Result {
        let namespace = Kernel.uniqueName("nb")
        try Kernel.ip("netns", "add", namespace)
        defer { try? Kernel.ip("netns", "del", namespace) }
        let inNamespace = ["/usr/sbin/ip", "netns", "exec", namespace]
        for tap in mode == .tapringOnHub ? ["nbtap0", "nbcap0"] : ["nbtap0"] {
            try Kernel.ip("-n", namespace, "tuntap", "add", tap, "mode", "tap")
            let noIPv6 = "echo 1 > /proc/sys/net/ipv6/conf/\(tap)/disable_ipv6"
            try Kernel.run("/usr/sbin/ip", Array(inNamespace.dropFirst()) + ["/bin/sh", "-c", noIPv6])
            try Kernel.ip("-n", namespace, "link", "set", tap, "up")
        }
        try Kernel.ip("-n", namespace, "addr", "add", "10.77.0.1/24", "dev", "nbtap0")
        try Kernel.ip("-n", namespace, "link", "set", "lo", "up")
        let server = try SpawnedProcess(
            inNamespace + ["python3", "-m", "http.server", "8000", "--bind", "10.77.0.1", "--directory",
                           images.directory],
            log: images.work + "/http.log")
        defer { server.stop() }
        let capture = mode == .tapringOnHub
            ? try Capture(namespace: namespace, interface: "nbcap0", into: images.capture) : nil
        defer { capture?.process.stop(SIGINT) }

        var vm = [Self.qemu, "-accel", "tcg", "-smp", "1", "-m", "256M", "-nographic", "-no-reboot", "-nodefaults",
                  "-serial", "stdio", "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
                  "-machine", "pc,memory-backend=mem", "-kernel", Self.ipxe, "-initrd", images.script]
        let tap = "tap,id=t0,ifname=nbtap0,script=no,downscript=no"
        var remote: SpawnedProcess?
        var passed: [Int32: Int32] = [:]
        var pair: [Int32] = [-1, -1]
        if mode == .qemuInProcess {
            vm = inNamespace + vm + ["-netdev", tap, "-device", "e1000,netdev=t0"]
        } else {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
                throw KernelError("socketpair failed")
            }
            defer { close(pair[1]) }
            let served = mode == .qemuRemote
                ? [Self.qemu, "-machine", "x-remote", "-nodefaults", "-nographic", "-display", "none",
                   "-monitor", "none", "-netdev", tap, "-device", "e1000,id=nic0,netdev=t0"]
                : [TapRingBinary.url.path, "run", "--stats", "0", "-machine", "x-remote"] + networkOptions(tap)
            remote = try SpawnedProcess(
                inNamespace + served + ["-object", "x-remote-object,id=robj0,devid=nic0,fd=3"],
                passing: [pair[1]: 3], log: images.work + "/remote.log")
            vm += ["-device", "x-pci-proxy-dev,id=nic0,fd=3"]
            passed = [pair[0]: 3]
        }
        let started = Date()
        let guest = try SpawnedProcess(vm, passing: passed, log: images.work + "/console.log")
        if pair[0] >= 0 { close(pair[0]) }
        let exited = guest.wait(seconds: 240) != nil
        let seconds = Date().timeIntervalSince(started)
        if !exited { guest.stop(SIGKILL) }
        let console = guest.output.replacingOccurrences(of: "\r", with: "")
        var problems: [String] = []
        if let remote, mode != .qemuRemote {
            problems += checkTapRing(remote)
        }
        remote?.stop()
        if let capture {
            capture.process.stop(SIGINT)
            problems += capture.check(atLeast: images.byteCount)
        }
        return Result(booted: console.contains("NETBOOT-OK"), seconds: seconds, console: console, problems: problems)
    }

    /// TapRing's networking options: the NIC on the server's tap, or on hub
    /// 0 with that tap and the capture's.
    private func networkOptions(_ tap: String) -> [String] {
        guard mode == .tapringOnHub else { return ["-netdev", tap, "-device", "e1000,id=nic0,netdev=t0"] }
        return ["-netdev", tap, "-netdev", "tap,id=c0,ifname=nbcap0,script=no,downscript=no",
                "-netdev", "hubport,id=p0,hubid=0,netdev=t0", "-netdev", "hubport,id=p1,hubid=0,netdev=c0",
                "-netdev", "hubport,id=p2,hubid=0", "-device", "e1000,id=nic0,netdev=p2"]
    }

    /// With `auto-shutdown=on` TapRing ends by itself once the VM closed
    /// its socket, and a real boot gets no protocol complaint from it.
    private func checkTapRing(_ remote: SpawnedProcess) -> [String] {
        var problems: [String] = []
        if remote.wait(seconds: 10) != 0 {
            problems.append("tapring did not exit 0 after the VM closed its socket: \(remote.output.suffix(800))")
        }
        let complaints = remote.output.split(separator: "\n").filter {
            $0.hasPrefix("tapring: robj0:") && !$0.hasSuffix("the VM closed its socket; the NIC stops")
        }
        if !complaints.isEmpty { problems.append("tapring complained: \(complaints.prefix(5))") }
        return problems
    }
}

extension Netboot {
    /// The kernel, the initrd (busybox, an init that prints NETBOOT-OK and
    /// powers off, and random filler so that the fetch moves that many
    /// bytes) and iPXE's script, in a directory of their own.
    struct Images {
        static var kernel: String? {
            let boot = (try? FileManager.default.contentsOfDirectory(atPath: "/boot")) ?? []
            return boot.filter { $0.hasPrefix("vmlinuz-") }.sorted().last.map { "/boot/" + $0 }
        }

        /// Everything of this netboot's: the served files, the initrd's
        /// root, the script, the capture and the programs' logs.
        let work: String
        let directory: String
        let script: String
        let capture: String
        let byteCount: Int

        init(fillerMegabytes: Int) throws {
            work = NSTemporaryDirectory() + "netboot-\(getpid())-\(UUID().uuidString.prefix(8))"
            directory = work + "/srv"
            let root = work + "/root"
            try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Images.kernel!, toPath: directory + "/vmlinuz")
            try FileManager.default.copyItem(atPath: Netboot.busybox, toPath: root + "/bin/busybox")
            try "#!/bin/busybox sh\n/bin/busybox echo NETBOOT-OK\n/bin/busybox poweroff -f\n"
                .write(toFile: root + "/init", atomically: true, encoding: .utf8)
            chmod(root + "/init", 0o755)
            var random = SystemRandomNumberGenerator()
            let filler = (0..<(fillerMegabytes << 17)).map { _ in random.next() as UInt64 }
            guard FileManager.default.createFile(
                atPath: root + "/filler", contents: filler.withUnsafeBytes { Data($0) })
            else { throw KernelError("could not write the initrd's filler") }
            try Kernel.run("/bin/sh",
                ["-c", "cd \(root) && find . | cpio -o -H newc --quiet > \(directory)/initrd.cpio"])
            script = work + "/boot.ipxe"
            try """
                #!ipxe
                set net0/ip 10.77.0.2
                set net0/netmask 255.255.255.0
                ifopen net0
                kernel http://10.77.0.1:8000/vmlinuz console=ttyS0 panic=-1 rdinit=/init
                initrd http://10.77.0.1:8000/initrd.cpio
                boot

                """.write(toFile: script, atomically: true, encoding: .utf8)
            capture = work + "/capture.pcap"
            let served = directory
            byteCount = try ["vmlinuz", "initrd.cpio"].reduce(0) { total, name in
                total + ((try FileManager.default.attributesOfItem(atPath: served + "/" + name)[.size] as? Int) ?? 0)
            }
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: work)
        }
    }

    /// tcpdump on the hub's capture tap: what TapRing's hub hands that port,
    /// with a 16 MiB buffer so that a busy machine loses no frame of it.
    struct Capture {
        let process: SpawnedProcess
        let path: String

        init(namespace: String, interface: String, into path: String) throws {
            self.path = path
            process = try SpawnedProcess(
                ["/usr/sbin/ip", "netns", "exec", namespace, "tcpdump", "-i", interface, "-s", "128",
                 "-B", "16384", "-U", "-w", path],
                log: path + ".log")
            let deadline = Date().addingTimeInterval(10)
            while !process.output.contains("listening on") {
                guard Date() < deadline else { throw KernelError("tcpdump did not start: \(process.output)") }
                usleep(20_000)
            }
        }

        /// The hub gave the capture port every frame both ways: the guest's
        /// (from the NIC's MAC) and the server's HTTP stream, at least
        /// `bytes` of TCP payload from port 8000.
        func check(atLeast bytes: Int) -> [String] {
            guard let data = FileManager.default.contents(atPath: path), data.count >= 24 else {
                return ["no capture at \(path)"]
            }
            var fromGuest = 0
            var served = 0
            var offset = 24
            data.withUnsafeBytes { pcap in
                while offset + 16 <= pcap.count {
                    let captured = Int(pcap.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
                    let frame = UnsafeRawBufferPointer(
                        rebasing: pcap[offset + 16..<min(pcap.count, offset + 16 + captured)])
                    offset += 16 + captured
                    guard frame.count >= 54 else { continue }
                    if Array(frame[6..<12]) == [0x52, 0x54, 0x00, 0x12, 0x34, 0x56] { fromGuest += 1 }
                    // IPv4, TCP, from port 8000: payload = total length - IP header - TCP header.
                    guard frame[12] == 0x08, frame[13] == 0x00, frame[23] == 6 else { continue }
                    let ipHeader = Int(frame[14] & 0x0F) * 4
                    let total = Int(frame[16]) << 8 | Int(frame[17])
                    guard frame.count >= 14 + ipHeader + 13 else { continue }
                    let tcp = 14 + ipHeader
                    let sourcePort = Int(frame[tcp]) << 8 | Int(frame[tcp + 1])
                    if sourcePort == 8000 { served += total - ipHeader - Int(frame[tcp + 12] >> 4) * 4 }
                }
            }
            var problems: [String] = []
            if fromGuest == 0 { problems.append("the capture saw no frame from the guest's MAC") }
            if served < bytes { problems.append("the capture saw \(served) bytes of HTTP payload, not \(bytes)") }
            return problems
        }
    }
}
