import Testing
@testable import TapRing

/// Which NICs send their guests' TSO packets as GSO frames: those whose
/// frames go only to taps with a vnet header.
@Suite(.enabled(if: Kernel.hasTaps, Kernel.tapsReason))
struct GSONICTests {
    @Test(arguments: [(",vnet_hdr=on", true), ("", false), (",vnet_hdr=off", false)])
    func aNICSendsGSOFramesOnlyToTapsWithAVnetHeader(tapOptions: String, sendsGSOFrames: Bool) throws {
        let tap = Kernel.uniqueName("trg")
        let engine = try Engine(try NetworkPlan.parse([
            "-netdev", "tap,id=t0,ifname=\(tap),script=no,downscript=no\(tapOptions)", "-device", "e1000,netdev=t0",
        ]))
        #expect(engine.nics[0].channel.sendsGSOFrames == sendsGSOFrames)
    }

    @Test func aNICOnAHubWithOffloadTapsSendsGSOFrames() throws {
        let taps = [Kernel.uniqueName("trg"), Kernel.uniqueName("trg")]
        let engine = try Engine(try NetworkPlan.parse(taps.enumerated().flatMap { index, tap in
            ["-netdev", "tap,id=t\(index),ifname=\(tap),script=no,downscript=no",
             "-netdev", "hubport,id=p\(index),hubid=0,netdev=t\(index)"]
        } + ["-netdev", "hubport,id=pn,hubid=0", "-device", "e1000,netdev=pn"]))
        #expect(engine.nics[0].channel.sendsGSOFrames)
    }
}
