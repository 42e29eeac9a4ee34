import Foundation
import GatehouseCore
import Logging

/// The server's log handler: one line per message on stderr, as text or as one JSON object
/// (`log_format`, SPEC §3).
///
/// In both formats control characters in the message and in metadata values are escaped, so a
/// newline in a request value (a `client_id`, a path) cannot start a forged log line.
struct GatehouseLogHandler: LogHandler {
    enum Format {
        case text
        case json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let time = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let line: String
        switch format {
        case .json:
            var json = JSONWriter()
            json.add("time", time)
            json.add("level", event.level.rawValue)
            json.add("label", label)
            json.add("message", event.message.description)
            for key in all.keys.sorted() {
                if let value = all[key] { json.add(key, value.description) }
            }
            line = Self.escapeJSONLineBreaks(json.finish())
        case .text:
            var text = "\(time) \(event.level) \(label): \(Self.escape(event.message.description))"
            for key in all.keys.sorted() {
                if let value = all[key] { text += " \(Self.escape(key))=\(Self.escape(value.description))" }
            }
            line = text
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Control characters (C0, DEL, C1 and the Unicode line and paragraph separators) as `\n`,
    /// `\r`, `\t` or `\u{…}`; backslashes doubled so an escape cannot be faked either.
    static func escape(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: needsEscape) else { return value }
        var output = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where needsEscape(scalar): output += "\\u{\(String(scalar.value, radix: 16))}"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// JSON may carry DEL, the C1 controls and U+2028/U+2029 raw, but a log viewer may break the
    /// line at them; they only occur inside strings, where `\uXXXX` means the same.
    static func escapeJSONLineBreaks(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: isRawInJSON) else { return json }
        var output = ""
        for scalar in json.unicodeScalars {
            if isRawInJSON(scalar) {
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private static func isRawInJSON(_ scalar: Unicode.Scalar) -> Bool {
        (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\\"
    }
}
