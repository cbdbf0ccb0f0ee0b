import Testing

@testable import KairosCore

@Suite struct ExpressionEvaluationTests {
    private static let now = ExpressionFixtures.now
    private static let eventTime = ExpressionFixtures.eventTime

    private func check(_ source: String, _ expected: ExpressionValue, sourceLocation: SourceLocation = #_sourceLocation) {
        let value = ExpressionFixtures.evaluate(source, sourceLocation: sourceLocation)
        #expect(value == expected, "\(source)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ("12", ExpressionValue.number(12)), ("-3.5", .number(-3.5)), ("1e3", .number(1000)),
        ("'a\\tb'", .string("a\tb")), ("\"\\u00e9\"", .string("é")), ("true", .bool(true)), ("null", .null),
        ("500ms", .duration(500)), ("30s", .duration(30_000)), ("5m", .duration(300_000)), ("1h", .duration(3_600_000)),
        ("7d", .duration(604_800_000)), ("2w", .duration(1_209_600_000)), ("-5m", .duration(-300_000)),
        ("[1, 'a', true, null]", .list([.number(1), .string("a"), .bool(true), .null])),
        ("[event.name, 1 + 1]", .list([.string("Product Viewed"), .number(2)])),
    ])
    func literals(source: String, expected: ExpressionValue) {
        check(source, expected)
    }

    @Test(arguments: [
        ("event.name", ExpressionValue.string("Product Viewed")),
        ("event.type", .string("track")),
        ("event.userId", .string("u-1")),
        ("event.anonymousId", .string("a-1")),
        ("event.messageId", .string("m-1")),
        ("event.timestamp", .timestamp(1_795_341_600_000)),
        ("event.properties.price", .number(149.5)),
        ("event.properties[\"odd key\"]", .string("yes")),
        ("event.properties['with.dot']", .number(1)),
        ("event.properties.nested.deep.value", .number(7)),
        ("event.properties['nested']['deep'].value", .number(7)),
        ("event.properties.tags[1]", .string("new")),
        ("event.properties.tags[5]", .null),
        ("event.properties.items[1].sku", .string("b")),
        ("event.properties.items[0]['sku']", .string("a")),
        ("event.properties.missing", .null),
        ("event.properties.missing.deeper[3].x", .null),
        ("event.properties.price.deeper", .null),
        ("event.properties.empty", .null),
        ("event.context.device.type", .string("mobile")),
        ("context.device.type", .string("mobile")),
        ("context['locale']", .string("de-DE")),
        ("profile.traits.tier", .string("gold")),
        ("profile.userId", .string("u-1")),
        ("profile.eventTotal", .number(14)),
        ("profile.firstSeen", .timestamp(1_767_323_045_000)),
        ("profile.lastSeen", .timestamp(1_795_341_540_000)),
        ("profile.eventCounts[\"Order Completed\"]", .number(2)),
        ("profile.eventCounts['Nope']", .null),
        ("profile.eventCounts[event.name]", .number(12)),
        ("features.views_5m", .number(4)),
        ("features['views_5m']", .number(4)),
        ("features.anything", .number(5)),
        ("features.summary.a", .number(1)),
        ("features.recent[1]", .string("p-42")),
        ("segments", .list([.string("shoppers"), .string("mobile")])),
        ("segments[0]", .string("shoppers")),
        ("now", .timestamp(1_795_342_200_000)),
        ("event.properties.tags[features.views_5m - 3]", .string("new")),
        ("event.properties.tags[features.views_5m - 3.5]", .null),
        ("event.properties.tags[event.name]", .null),
        ("event.properties[event.properties.product_id]", .null),
        ("(true ? event.properties : profile).price", .number(149.5)),
        ("[10, 20, 30][2]", .number(30)),
        ("event.properties.tags", .json(["sale", "new"])),
    ])
    func paths(source: String, expected: ExpressionValue) {
        check(source, expected)
    }

    @Test func eventNameIsTheTrackNameOrThePageName() throws {
        let name = try ExpressionFixtures.compile("event.name")
        #expect(name.evaluate(ExpressionFixtures.context) == .string("Product Viewed"))
        let page = EvaluationContext(event: ExpressionFixtures.pageEvent, now: Self.now)
        #expect(name.evaluate(page) == .string("Pricing"))
        let both = EvaluationContext(event: ["type": "track", "event": "Signed Up", "name": "Other"], now: Self.now)
        #expect(name.evaluate(both) == .string("Signed Up"))
        let nullEvent = EvaluationContext(event: ["type": "screen", "event": nil, "name": "Home"], now: Self.now)
        #expect(name.evaluate(nullEvent) == .string("Home"))
        #expect(name.evaluate(EvaluationContext(event: ["type": "identify"], now: Self.now)) == .null)
        #expect(name.evaluate(EvaluationContext(now: Self.now)) == .null)
        #expect(try ExpressionFixtures.compile("event.name == 'Pricing' && event.type == 'page'").matches(page))
    }

    @Test func eventTimestampPrefersTheNumber() throws {
        let timestamp = try ExpressionFixtures.compile("event.timestamp")
        var context = ExpressionFixtures.context
        #expect(timestamp.evaluate(context) == .timestamp(Self.eventTime))
        context.eventTimestamp = 42
        #expect(timestamp.evaluate(context) == .timestamp(42))
        context = EvaluationContext(event: ["timestamp": "not a time"], now: Self.now)
        #expect(timestamp.evaluate(context) == .null)
        context = EvaluationContext(event: ["timestamp": 1000], now: Self.now)
        #expect(timestamp.evaluate(context) == .timestamp(1000))
    }

    @Test func missingRootsAreNull() throws {
        let empty = EvaluationContext(now: Self.now)
        for source in ["event.properties.price", "profile.traits.tier", "features.views_5m", "profile.firstSeen",
                       "context.device.type", "event.timestamp", "event.properties.tags[features.views_5m]"] {
            #expect(try ExpressionFixtures.compile(source).evaluate(empty) == .null, "\(source)")
        }
        #expect(try ExpressionFixtures.compile("'a' in segments").evaluate(empty) == .bool(false))
        #expect(try ExpressionFixtures.compile("size(segments)").evaluate(empty) == .number(0))
        #expect(try !ExpressionFixtures.compile("features.views_5m >= 3").matches(empty))
        #expect(try ExpressionFixtures.compile("!has(features.views_5m)").matches(empty))
    }

    @Test(arguments: [
        ("1 + 2 * 3", ExpressionValue.number(7)), ("(1 + 2) * 3", .number(9)), ("10 - 4 - 3", .number(3)),
        ("2 * 3 % 4", .number(2)), ("7 % 3", .number(1)), ("-7 % 3", .number(-1)), ("7.5 % 2", .number(1.5)),
        ("10 / 4", .number(2.5)), ("1 / 0", .null), ("1 % 0", .null), ("event.properties.zero / 0", .null),
        ("event.properties.price / event.properties.zero", .null),
        ("'ab' + 'cd'", .string("abcd")), ("event.name + '!'", .string("Product Viewed!")),
        ("[1] + [2]", .list([.number(1), .number(2)])),
        ("event.properties.tags + ['x']", .list([.string("sale"), .string("new"), .string("x")])),
        ("-event.properties.price", .number(-149.5)), ("-(1 + 2)", .number(-3)),
        ("event.properties.price * event.properties.quantity", .number(299)),
        ("event.properties.label - 1", .null), ("event.properties.flag + 1", .null),
        ("-event.properties.label", .null),
    ])
    func arithmetic(source: String, expected: ExpressionValue) {
        check(source, expected)
    }

    @Test(arguments: [
        ("1 < 2", true), ("2 <= 2", true), ("3 > 2", true), ("2 >= 3", false), ("'a' < 'b'", true),
        ("2 < 2", false), ("2 > 2", false), ("2 >= 2", true), ("3 <= 2", false), ("'a' < 'a'", false),
        ("'a' >= 'a'", true), ("1h < 60m", false), ("1h <= 60m", true), ("now > now", false), ("now >= now", true),
        ("event.properties.price < 149.5", false), ("event.properties.price <= 149.5", true),
        ("'b' <= 'a'", false), ("30m > 1h", false), ("1 == 1.0", true), ("1 != 2", true), ("'a' == 'a'", true),
        ("[1, 'a'] == [1, 'a']", true), ("[1] == [2]", false), ("event.properties.tags == ['sale', 'new']", true),
        ("features.summary == features.summary", true),
        ("features.anything == '5'", false), ("event.properties.quantity == '2'", false),
        ("event.properties.quantity == 2", true), ("event.properties.flag == true", true),
        ("event.properties.product_id > 'p'", true), ("event.properties.price > 'a'", false),
        ("event.properties.price < 'a'", false),
        // null rules
        ("null == null", true), ("event.properties.missing == null", true), ("event.properties.empty == null", true),
        ("event.properties.price == null", false), ("event.properties.missing != null", false),
        ("event.properties.missing != 1", true), ("event.properties.missing == 0", false),
        ("event.properties.missing < 1", false), ("event.properties.missing >= 1", false),
        ("event.properties.missing <= 'a'", false), ("event.properties.missing > null", false),
        ("event.properties.missing + 1 == null", true), ("event.properties.missing * 2 > 0", false),
        ("event.properties.missing && true", false), ("event.properties.missing || true", true),
        ("!event.properties.missing", true), ("!null", true), ("!!true", true), ("!true", false),
        ("!event.properties.label", true), ("event.properties.label && true", false),
        ("(event.properties.missing ? 1 : 2) == 2", true), ("(event.properties.flag ? 'y' : 'n') == 'y'", true),
        ("(false ? 1 : true ? 2 : 3) == 2", true), ("(event.properties.price > 100 ? 'big' : 'small') == 'big'", true),
        // membership
        ("'gold' in ['gold', 'platinum']", true), ("profile.traits.tier in ['silver']", false),
        ("profile.traits.tier in ['gold', 'platinum']", true), ("'shoppers' in segments", true),
        ("'vip' in segments", false), ("features.views_5m in segments", false), ("'price' in event.properties", true),
        ("'nope' in event.properties", false), ("'ell' in 'hello'", true), ("'' in 'hello'", true),
        ("'xyz' in 'hello'", false), ("'sale' in event.properties.tags", true), ("2 in [1, 2, 3]", true),
        ("2 in ['1', '2']", false), ("event.properties.missing in [1]", false), ("null in [null]", true),
        ("'a' in event.properties.missing", false), ("1 in event.properties.price", false),
        ("'p-42' in features.recent", true), ("event.properties.quantity in [2.0]", true),
        ("event.timestamp in ['2026-11-22T10:00:00Z']", true),
        ("event.properties.product_id in ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6', 'p-7', 'p-42']", true),
        ("event.properties.product_id in ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6', 'p-7', 'p-8']", false),
        ("features.anything in ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']", false),
        ("event.timestamp in ['a', 'b', 'c', 'd', 'e', 'f', 'g', '2026-11-22T10:00:00Z']", true),
    ])
    func comparisonsLogicAndMembership(source: String, expected: Bool) {
        check(source, .bool(expected))
    }

    @Test(arguments: [
        ("now - event.timestamp", ExpressionValue.duration(600_000)),
        ("event.timestamp + 10m == now", .bool(true)), ("10m + event.timestamp == now", .bool(true)),
        ("now - 1d", .timestamp(1_795_342_200_000 - 86_400_000)),
        ("1h + 30m", .duration(5_400_000)), ("1h - 2h", .duration(-3_600_000)), ("-(1h)", .duration(-3_600_000)),
        ("1h > 30m", .bool(true)), ("30m == 1800s", .bool(true)), ("event.timestamp < now", .bool(true)),
        ("now - event.timestamp < 30m", .bool(true)), ("now - event.timestamp > 30m", .bool(false)),
        ("event.timestamp == '2026-11-22T10:00:00Z'", .bool(true)),
        ("event.timestamp > '2026-11-22T09:00:00+00:00'", .bool(true)),
        ("'2026-11-22T11:00:00+01:00' == event.timestamp", .bool(true)),
        ("profile.firstSeen < profile.lastSeen", .bool(true)),
        ("now - profile.lastSeen", .duration(660_000)),
        ("event.properties.signup < event.timestamp", .bool(true)),
        ("event.properties.signup > event.timestamp", .bool(false)),
        ("event.timestamp - event.properties.signup > 300d", .bool(true)),
        ("event.properties.label < event.timestamp", .bool(false)),
        ("event.properties.label == event.timestamp", .bool(false)),
        ("event.timestamp - event.properties.label", .null),
        ("2 * 30m", .duration(3_600_000)), ("30m * 2", .duration(3_600_000)), ("1h / 2", .duration(1_800_000)),
        ("(now - event.timestamp) / 1m", .number(10)), ("1h / 0", .null), ("1h / 0s", .null),
        ("features.since < 2m", .bool(true)), ("now - features.last_order", .duration(86_400_000)),
        ("now - features.last_order >= 1d", .bool(true)),
        ("event.timestamp > timestamp('2026-11-22')", .bool(true)),
        ("duration('1h30m') == 90m", .bool(true)),
        ("now - event.properties.missing", .null), ("event.properties.missing + 1h", .null),
    ])
    func timeArithmetic(source: String, expected: ExpressionValue) {
        check(source, expected)
    }

    @Test func overflowingTimeIsNull() throws {
        var context = ExpressionFixtures.context
        context.eventTimestamp = .min
        #expect(try ExpressionFixtures.compile("now - event.timestamp").evaluate(context) == .null)
        #expect(try ExpressionFixtures.compile("event.timestamp - 1ms").evaluate(context) == .null)
        #expect(try !ExpressionFixtures.compile("now - event.timestamp < 30m").matches(context))
        context.now = .max
        #expect(try ExpressionFixtures.compile("now + 1ms").evaluate(context) == .null)
        #expect(try ExpressionFixtures.compile("string(now)").evaluate(context) == .string(String(Int64.max)))
        #expect(try ExpressionFixtures.compile("9223372036854775807ms + 1ms").evaluate(context) == .null)
        #expect(try ExpressionFixtures.compile("2w * 1e300").evaluate(context) == .null)
        #expect(try ExpressionFixtures.compile("-(-9223372036854775807ms - 1ms)").evaluate(context) == .null)
        #expect(try ExpressionFixtures.compile("abs(-9223372036854775807ms - 1ms)").evaluate(context) == .null)
    }

    @Test func matchesOnlyTrue() throws {
        #expect(try ExpressionFixtures.compile("true").matches(ExpressionFixtures.context))
        for source in ["false", "null", "1", "'true'", "[true]", "event.properties", "event.properties.missing"] {
            #expect(try !ExpressionFixtures.compile(source).matches(ExpressionFixtures.context), "\(source)")
        }
        #expect(ExpressionValue.json(.bool(true)).isTruthy)
        #expect(!ExpressionValue.number(1).isTruthy)
    }

    @Test func typicalRules() throws {
        let context = ExpressionFixtures.context
        let rules = [
            #"event.name == "Product Viewed" && event.properties.price > 100"#,
            #"profile.traits.tier in ["gold", "platinum"] && features.views_5m >= 3"#,
            "now - event.timestamp < 30m && has(event.properties.product_id)",
            "profile.eventCounts['Order Completed'] >= 1 && 'shoppers' in segments && context.device.type == 'mobile'",
            "event.properties.price > 100\n  && event.properties.tags.contains('sale')\n  && !('vip' in segments)",
        ]
        for rule in rules {
            #expect(try Expression.compileCondition(rule, environment: ExpressionFixtures.environment).matches(context))
        }
    }

    @Test func valuesCompareSemantically() {
        #expect(ExpressionValue.json(.number(1)) == .number(1))
        #expect(ExpressionValue.list([.number(1), .string("a")]) == .json([1, "a"]))
        #expect(ExpressionValue.json([1, "a"]) == .list([.number(1), .string("a")]))
        #expect(ExpressionValue.json(["a": 1]) == .json(["a": 1]))
        #expect(ExpressionValue.json(.null) == .null)
        #expect(ExpressionValue.string("2026-11-22") != .timestamp(1_795_305_600_000))
        #expect(ExpressionValue.duration(5) != .timestamp(5))
        #expect(ExpressionValue.number(5) != .duration(5))
        #expect(ExpressionValue(JSONValue.array([])) == .json([]))
        #expect(ExpressionValue.list([]).type == .list && ExpressionValue.json(["a": 1]).type == .map)
    }
}
