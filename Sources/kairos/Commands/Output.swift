import Foundation

/// Writes a line to standard output at once (unbuffered, even when redirected to a file).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
