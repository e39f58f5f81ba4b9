import Foundation

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
