import ArgumentParser

@main
struct TapRingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tapring",
        abstract: "A packet engine for emulators: QEMU's tap and hub networking on io_uring.",
        subcommands: [RunCommand.self, BenchCommand.self, QTestCommand.self]
    )
}
