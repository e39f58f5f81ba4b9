import Foundation
import TapRingOptions

/// A failure already worded for the user, printed as QEMU prints its errors:
/// `tapring: <option as typed>: <what is wrong>`; the process exits with status 1.
struct Failure: Error, CustomStringConvertible {
    var description: String

    init(_ message: String) {
        description = message
    }
}

/// Writes `line` to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints what an option asking for help gets, as QEMU 7.2 prints it (a
/// list on standard output, or an error on standard error), and exits
/// successfully, as QEMU does.
func answer(_ help: HelpAnswer) -> Never {
    if help.isError {
        FileHandle.standardError.write(Data(("tapring: " + help.text).utf8))
    } else {
        FileHandle.standardOutput.write(Data(help.text.utf8))
    }
    exit(0)
}
