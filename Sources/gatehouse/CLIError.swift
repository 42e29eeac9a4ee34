/// A failure the command line reports as one line on stderr, with a non-zero exit code.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// A one-line message for an error from a library, whose description may span lines.
    init(_ context: String, _ error: any Error) {
        let detail = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        self.description = "\(context): \(detail)"
    }
}
