import ArgumentParser

/// The QEMU options a subcommand passes through start where tapring's own
/// end, so `--help` there would be taken for one: a first word that asks for
/// help (QEMU's `-h` and `-help` too) shows the subcommand's help instead.
func requestHelpIfAsked(_ passedThrough: [String], for command: some ParsableCommand) throws {
    if let first = passedThrough.first, ["-h", "--help", "-help"].contains(first) {
        throw CleanExit.helpRequest(command)
    }
}

/// Refuses a number of seconds that is not finite or is below `least`,
/// naming the option and the value.
func checkSeconds(_ seconds: Double?, option: String, least: Double, inclusive: Bool) throws {
    guard let seconds else { return }
    guard seconds.isFinite, inclusive ? seconds >= least : seconds > least else {
        throw ValidationError(
            "\(option): a number of seconds \(inclusive ? "from" : "above") \(least.formatted()), not \(seconds)")
    }
}

private extension Double {
    func formatted() -> String { self == rounded() ? String(Int(self)) : String(self) }
}
