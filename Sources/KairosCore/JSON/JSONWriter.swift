/// Serialises ``JSONValue`` trees to compact UTF-8 JSON.
///
/// By default object keys are written in sorted order, so that the same value always gives the
/// same bytes (content hashes, distinct values); the ingest path, which only needs valid JSON,
/// skips the sorting.
public enum JSONWriter {
    /// The compact JSON bytes of `value`.
    public static func bytes(_ value: JSONValue, sortedKeys: Bool = true) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, into: &output, sortedKeys: sortedKeys)
        return output
    }

    /// The compact JSON text of `value`.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Appends the compact JSON of `value` to `output`.
    public static func write(_ value: JSONValue, into output: inout [UInt8], sortedKeys: Bool = true) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): writeNumber(number, into: &output)
        case .string(let string): writeString(string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output, sortedKeys: sortedKeys)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let fields):
            output.append(UInt8(ascii: "{"))
            var first = true
            if sortedKeys {
                for key in fields.keys.sorted() {
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &output)
                    output.append(UInt8(ascii: ":"))
                    write(fields[key]!, into: &output, sortedKeys: true)
                }
            } else {
                for (key, field) in fields {
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &output)
                    output.append(UInt8(ascii: ":"))
                    write(field, into: &output, sortedKeys: false)
                }
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// `object` (compact JSON bytes of an object, as written here) with one more field at its end,
    /// whose value is already encoded (`encoded`: compact JSON), without decoding or re-encoding
    /// either; anything but an object is returned as it is.
    public static func appending(field key: String, encoded: [UInt8], to object: [UInt8]) -> [UInt8] {
        guard object.last == UInt8(ascii: "}") else { return object }
        var output = object
        output.reserveCapacity(object.count + key.utf8.count + encoded.count + 4)
        output.removeLast()
        if output.last != UInt8(ascii: "{") { output.append(UInt8(ascii: ",")) }
        writeString(key, into: &output)
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: encoded)
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// Appends `number`, as an integer when it is one.
    public static func writeNumber(_ number: Double, into output: inout [UInt8]) {
        guard number.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        if number == number.rounded(.towardZero), abs(number) < 1e15 {
            writeInteger(Int64(number), into: &output)
        } else {
            output.append(contentsOf: number.description.utf8)
        }
    }

    /// Appends the decimal digits of `value`, without making a string first.
    static func writeInteger(_ value: Int64, into output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        guard magnitude >= 10 else {
            output.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        let start = output.count
        while magnitude > 0 {
            output.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        output[start...].reverse()
    }

    /// Appends `string` as a quoted, escaped JSON string.
    public static func writeString(_ string: String, into output: inout [UInt8]) {
        var string = string  // `withUTF8` needs it mutable; a native string is not copied
        string.withUTF8 { bytes in
            output.append(UInt8(ascii: "\""))
            // Most strings need no escape: copied whole.
            var clean = true
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                clean = false
                break
            }
            if clean {
                output.append(contentsOf: bytes)
            } else {
                for byte in bytes { escape(byte, into: &output) }
            }
            output.append(UInt8(ascii: "\""))
        }
    }

    private static func escape(_ byte: UInt8, into output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        default: output.append(byte)
        }
    }
}
