/// Writes small JSON objects by hand.
///
/// Token responses and JWT claims are on the hottest path and have a fixed shape; building them directly costs a
/// fraction of `JSONEncoder`, and member order stays stable, which makes responses easy to read.
package struct JSONWriter {
    private var output = "{"
    private var isFirst = true

    package init() {}

    package mutating func add(_ key: String, _ value: String) {
        separator(key)
        Self.appendQuoted(value, to: &output)
    }

    package mutating func add(_ key: String, _ value: Int) {
        separator(key)
        output += String(value)
    }

    package mutating func add(_ key: String, _ value: Bool) {
        separator(key)
        output += value ? "true" : "false"
    }

    package mutating func add(_ key: String, _ values: [String]) {
        separator(key)
        output += "["
        for (index, value) in values.enumerated() {
            if index > 0 { output += "," }
            Self.appendQuoted(value, to: &output)
        }
        output += "]"
    }

    /// Adds a value that is already JSON (a nested object or array written by another writer).
    package mutating func add(_ key: String, json: String) {
        separator(key)
        output += json
    }

    package consuming func finish() -> String {
        output + "}"
    }

    private mutating func separator(_ key: String) {
        if !isFirst { output += "," }
        isFirst = false
        Self.appendQuoted(key, to: &output)
        output += ":"
    }

    /// RFC 8259 §7: quote, backslash and control characters must be escaped; the rest is UTF-8.
    package static func appendQuoted(_ string: String, to output: inout String) {
        output += "\""
        // Tokens, codes and scopes never need escaping: copy them whole.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            output += string
            output += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
