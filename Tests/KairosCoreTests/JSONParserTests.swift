import Testing

@testable import KairosCore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(
            #"{"a": [1, -2.5, 3e2, true, false, null], "b": "x\"y\\z\n\u00e9\ud83d\ude00", "c": {}}"#)
        #expect(value["a"] == [1, -2.5, 300, true, false, nil])
        #expect(value["b"] == .string("x\"y\\z\né😀"))
        #expect(value["c"] == .object([:]))
    }

    @Test func nestedObjectsKeepTheirOwnFieldsAndARepeatedKeyItsLastValue() throws {
        let value = try JSONParser.parse(
            #"{"a": 1, "o": {"a": 2, "p": {"a": 3, "a": 4}, "b": [{"x": 1}, {}]}, "a": 5, "z": {"k": "v"}}"#)
        #expect(value == ["a": 5, "o": ["a": 2, "p": ["a": 4], "b": [["x": 1], [:]]], "z": ["k": "v"]])
        let wide = try JSONParser.parse("{" + (0..<100).map { "\"k\($0)\": \($0)" }.joined(separator: ",") + "}")
        #expect(wide.objectValue?.count == 100 && wide["k42"] == 42)
    }

    @Test func writerRoundTrips() throws {
        let value: JSONValue = ["name": "Ada \"L\"\n", "n": 42, "f": 1.5, "list": [true, nil, "ü"], "o": ["k": -3]]
        #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
    }

    @Test(arguments: [
        ("{\"a\": }", 1, 7), ("[1, 2", 1, 6), ("{\"a\":1}\n x", 2, 2), ("\"abc", 1, 5), ("01", 1, 2),
        ("{'a': 1}", 1, 2), ("[1,]", 1, 4), ("nul", 1, 1), ("\"\\x\"", 1, 3), ("\"\\ud800\"", 1, 8),
    ])
    func reportsWhereTheErrorIs(input: String, line: Int, column: Int) {
        #expect {
            _ = try JSONParser.parse(input)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.line == line && error.column == column
        }
    }

    @Test func numbersAreWrittenAsIntegersWhenTheyAreOne() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (7, "7"), (10, "10"), (-12, "-12"), (1_234_567_890_123, "1234567890123"),
            (-999_999_999_999_999, "-999999999999999"), (1e15, "1000000000000000.0"), (1e16, "1e+16"), (1.5, "1.5"), (-0.25, "-0.25"),
            (.infinity, "null"), (.nan, "null"),
        ]
        for (number, text) in cases {
            var output: [UInt8] = []
            JSONWriter.writeNumber(number, into: &output)
            #expect(String(decoding: output, as: UTF8.self) == text, "\(number)")
        }
    }

    @Test func rejectsHostileNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func rejectsInvalidUTF8AndControlCharacters() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x01, 0x22]) }
    }

    /// Random and truncated inputs: the parser answers (value or error) and never crashes or hangs.
    @Test func survivesRandomAndTruncatedInput() {
        var generator = SystemRandomNumberGenerator()
        let sample = Array(
            #"{"batch":[{"type":"track","event":"Product Viewed","userId":"u1","properties":{"p":[1,2.5e3,"\u00e9"]}}]}"#
                .utf8)
        for length in 0...sample.count {
            _ = try? JSONParser.parse(Array(sample.prefix(length)))
        }
        let alphabet = Array(#"{}[]",:0123456789.eE+-truefalsnul\ "#.utf8) + [0x00, 0xFF, 0x0A]
        for _ in 0..<5000 {
            let length = Int(generator.next(upperBound: UInt64(64)))
            var bytes = (0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
            if generator.next(upperBound: UInt64(2)) == 0 {
                // Mutate a valid document instead.
                bytes = sample
                bytes[Int(generator.next(upperBound: UInt64(bytes.count)))] =
                    alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]
            }
            _ = try? JSONParser.parse(bytes)
        }
    }
}

@Suite struct JSONAppendingTests {
    @Test func aFieldIsAddedToEncodedObjectsWithoutReencodingThem() throws {
        let appended = JSONWriter.appending(
            field: "learning", encoded: JSONWriter.bytes(.object(["k": 1])), to: JSONWriter.bytes(.object(["a": "x", "b": [1, 2]])))
        #expect(try JSONParser.parse(appended) == .object(["a": "x", "b": [1, 2], "learning": .object(["k": 1])]))
        #expect(try JSONParser.parse(JSONWriter.appending(field: "q\"", encoded: Array("null".utf8), to: Array("{}".utf8))) == .object(["q\"": .null]))
        // Not an object: left as it is.
        #expect(JSONWriter.appending(field: "x", encoded: Array("1".utf8), to: Array("[1]".utf8)) == Array("[1]".utf8))
    }
}
