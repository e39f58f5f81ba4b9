import Testing
@testable import TapRing
@testable import TapRingOptions

/// `-machine x-remote` and `-object x-remote-object`: TapRing as the device
/// process of multi-process QEMU, with the words QEMU 7.2 uses where it has
/// them, and clear ones where TapRing refuses what QEMU would take.
@Suite struct RemoteServingOptionsTests {
    private let tap = netdevs("tap,id=t0,ifname=nbtap0,script=no,downscript=no")
    private let nic = devices("e1000,id=nic0,netdev=t0")

    @Test func theRemoteCommandLineOfQEMUsDocumentation() throws {
        let plan = try NetworkPlan.parse(
            ["-machine", "x-remote"] + tap + nic + objects("x-remote-object,id=robj0,devid=nic0,fd=4"))
        #expect(plan.machine == RemoteMachine(autoShutdown: true))
        #expect(plan.remoteDevices == [RemoteDevice(
            id: "robj0", device: 0, socket: 4, location: "-object x-remote-object,id=robj0,devid=nic0,fd=4")])
    }

    @Test func machineOptionsMergeAndTakeTheirSpellings() throws {
        let plan = try NetworkPlan.parse(["-M", "x-remote", "--machine", "auto-shutdown=off"] + tap + nic)
        #expect(plan.machine == RemoteMachine(autoShutdown: false))
        #expect(plan.remoteDevices.isEmpty)
        let json = try NetworkPlan.parse(
            ["-machine", "type=x-remote,vfio-user=off"] + tap + nic
                + objects(#"{"qom-type": "x-remote-object", "id": "r", "devid": "nic0", "fd": "7"}"#))
        #expect(json.remoteDevices.map(\.socket) == [7])
    }

    @Test func severalNICsEachOnTheirOwnSocket() throws {
        let plan = try NetworkPlan.parse(
            ["-machine", "x-remote"] + tap + devices("e1000,id=a,netdev=t0", "e1000,id=b")
                + objects("x-remote-object,id=rb,devid=b,fd=5", "x-remote-object,id=ra,devid=a,fd=4"))
        #expect(plan.remoteDevices.map(\.device) == [1, 0])
    }

    @Test(arguments: [
        (["-machine", "pc"], "-machine pc: TapRing serves devices only as an x-remote machine, not as 'pc'"
            + "\nUse -machine x-remote with -object x-remote-object,id=...,devid=...,fd=..."),
        (["-machine", "x-remote,vfio-user=on"],
         "-machine x-remote,vfio-user=on: TapRing speaks the multi-process QEMU protocol only: "
             + "vfio-user=on is not supported"),
        (["-machine", "x-remote,auto-shutdown=maybe"],
         "-machine x-remote,auto-shutdown=maybe: Parameter 'auto-shutdown' expects 'on' or 'off'"),
        (["-machine", "x-remote,bogus=1"], "-machine x-remote,bogus=1: Invalid parameter 'bogus'"),
        (["-machine", "x-remote", "-object", "x-remote-object,id=r,devid=nic9,fd=4"],
         "-object x-remote-object,id=r,devid=nic9,fd=4: devid=nic9 names no NIC"),
        (["-object", "x-remote-object,id=r,devid=nic0,fd=4"],
         "-object x-remote-object,id=r,devid=nic0,fd=4: x-remote-object needs -machine x-remote"),
        (["-machine", "x-remote", "-object", "x-remote-object,id=r,devid=nic0,fd=four"],
         "-object x-remote-object,id=r,devid=nic0,fd=four: Could not parse remote object fd four: "
             + "not a decimal descriptor number"),
        (["-machine", "x-remote", "-object", "x-remote-object,id=r,devid=nic0"],
         "-object x-remote-object,id=r,devid=nic0: Parameter 'fd' is missing"),
        (["-machine", "x-remote", "-object", "x-remote-object,id=r,devid=nic0,fd=4",
          "-object", "x-remote-object,id=s,devid=nic0,fd=5"],
         "-object x-remote-object,id=s,devid=nic0,fd=5: NIC nic0 is already served by x-remote-object r"),
        (["-machine", "x-remote", "-device", "e1000,id=nic1", "-object", "x-remote-object,id=r,devid=nic0,fd=4",
          "-object", "x-remote-object,id=s,devid=nic1,fd=4"],
         "-object x-remote-object,id=s,devid=nic1,fd=4: fd=4 is already the socket of x-remote-object r"),
    ])
    func refusals(arguments: [String], message: String) {
        #expect(failure(arguments + tap + nic) == message)
    }
}
