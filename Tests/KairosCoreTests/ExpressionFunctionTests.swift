import Testing

@testable import KairosCore

@Suite struct ExpressionFunctionTests {
    @Test(arguments: [
        // has
        ("has(event.properties.price)", ExpressionValue.bool(true)), ("has(event.properties.missing)", .bool(false)),
        ("has(event.properties.empty)", .bool(false)), ("has(profile.traits.plan)", .bool(false)),
        ("has(features.views_5m)", .bool(true)), ("has(event.properties.tags[1])", .bool(true)),
        ("has(event.properties.tags[2])", .bool(false)), ("has(context.device.type)", .bool(true)),
        ("has(event.properties.zero)", .bool(true)),
        // size
        ("size('héllo')", .number(5)), ("size('')", .number(0)), ("size(event.properties.tags)", .number(2)),
        ("size(event.properties.nested)", .number(1)), ("size(segments)", .number(2)), ("size([])", .number(0)),
        ("size(features.recent)", .number(2)), ("size(event.properties.missing)", .null),
        ("size(event.properties.price)", .null), ("event.name.size()", .number(14)),
        // case
        ("lower('AbC')", .string("abc")), ("upper('AbC')", .string("ABC")),
        ("profile.traits.email.lower()", .string("ann@example.com")), ("lower(event.properties.price)", .null),
        // string tests
        ("event.name.startsWith('Product')", .bool(true)), ("startsWith(event.name, 'Order')", .bool(false)),
        ("event.name.endsWith('Viewed')", .bool(true)), ("endsWith(event.name, 'x')", .bool(false)),
        ("event.name.contains('uct V')", .bool(true)), ("contains('abc', 'd')", .bool(false)),
        ("event.properties.price.startsWith('1')", .null), ("event.properties.missing.endsWith('x')", .null),
        // list and map contains
        ("event.properties.tags.contains('sale')", .bool(true)), ("features.recent.contains('p-9')", .bool(false)),
        ("segments.contains('mobile')", .bool(true)), ("[1, 2].contains(2)", .bool(true)),
        ("event.properties.contains('price')", .bool(true)), ("event.properties.price.contains(1)", .bool(false)),
        // conversions
        ("duration('1h30m')", .duration(5_400_000)), ("duration('-5s')", .duration(-5_000)),
        ("duration(event.properties.label)", .null), ("duration(30m)", .duration(1_800_000)),
        ("timestamp('2026-11-22T10:00:00Z')", .timestamp(1_795_341_600_000)),
        ("timestamp(event.properties.signup)", .timestamp(1_767_225_600_000)),
        ("timestamp(event.properties.label)", .null), ("timestamp(1000)", .timestamp(1000)),
        ("timestamp(event.timestamp) == event.timestamp", .bool(true)),
        ("int(3.7)", .number(3)), ("int(-3.7)", .number(-3)), ("int('42')", .number(42)), ("int('4x')", .null),
        ("int(true)", .number(1)), ("int(false)", .number(0)), ("int(30s)", .number(30_000)),
        ("int(event.timestamp)", .number(1_795_341_600_000)), ("int(event.properties.tags)", .null),
        ("double('2.5')", .number(2.5)), ("double(7)", .number(7)), ("double('nan')", .null),
        ("double('')", .null), ("event.properties.quantity.double()", .number(2)),
        ("string(12)", .string("12")), ("string(2.5)", .string("2.5")), ("string(true)", .string("true")),
        ("string('x')", .string("x")), ("string(90m)", .string("90m")), ("string(1500ms)", .string("1500ms")),
        ("string(event.timestamp)", .string("2026-11-22T10:00:00.000Z")),
        ("string(event.properties.tags)", .string(#"["sale","new"]"#)),
        ("string(event.properties.nested)", .string(#"{"deep":{"value":7}}"#)),
        ("string([1, 'a', 2h])", .string(#"[1,"a",7200000]"#)), ("string(event.properties.missing)", .null),
        ("event.properties.price.string()", .string("149.5")),
        // min, max, abs
        ("min(3, 1)", .number(1)), ("max(3, 1)", .number(3)), ("min(30m, 1h)", .duration(1_800_000)),
        ("max('a', 'b')", .string("b")), ("max(event.timestamp, now)", .timestamp(1_795_342_200_000)),
        ("min(event.properties.price, 100)", .number(100)), ("min(event.properties.label, 100)", .null),
        ("max(event.properties.missing, 1)", .null), ("abs(-3)", .number(3)), ("abs(-5m)", .duration(300_000)),
        ("event.properties.price.abs()", .number(149.5)), ("abs(event.properties.label)", .null),
    ])
    func functions(source: String, expected: ExpressionValue) {
        let value = ExpressionFixtures.evaluate(source)
        #expect(value == expected, "\(source)")
    }

    @Test func durationText() {
        #expect(ExpressionDuration.parse("1h30m") == 5_400_000)
        #expect(ExpressionDuration.parse("2w1d") == 1_296_000_000)
        #expect(ExpressionDuration.parse("250ms") == 250)
        for bad in ["", "-", "5", "m", "1.5h", "5 m", "5min", "1h-5m", "99999999999999999999s", "9999999999999999w"] {
            #expect(ExpressionDuration.parse(bad) == nil, "\(bad)")
        }
        #expect(ExpressionDuration.format(5_400_000) == "90m")
        #expect(ExpressionDuration.format(1_209_600_000) == "2w")
        #expect(ExpressionDuration.format(-3_000) == "-3s")
        #expect(ExpressionDuration.format(0) == "0s")
        #expect(ExpressionDuration.format(.min) == "-9223372036854775808ms")
    }

    @Test func valueDescriptions() {
        #expect(ExpressionValue.string("a\"b").description == #""a\"b""#)
        #expect(ExpressionValue.number(3).description == "3")
        #expect(ExpressionValue.duration(60_000).description == "1m")
        #expect(ExpressionValue.timestamp(0).description == #"timestamp("1970-01-01T00:00:00.000Z")"#)
        #expect(ExpressionValue.list([.number(1), .null]).description == "[1,null]")
        #expect(ExpressionValue.timestamp(5).jsonValue == .string("1970-01-01T00:00:00.005Z"))
    }
}
